package io.polycache.web;

import jakarta.inject.Singleton;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;

/**
 * The dependency-cache client, {@code clients/polycache-deps} of the repository, as this build
 * packaged it: a CI job fetches the copy that matches its server. Public (it holds nothing
 * secret, and a job fetches it before it has a key in use).
 */
@Path("client/polycache-deps")
@Singleton
public final class ClientResource {
    /** Where the WAR build puts the script ({@code pom.xml}, {@code webResources}). */
    static final String SCRIPT = "/WEB-INF/clients/polycache-deps";

    @GET
    public Response get(@Context ServletContext context) {
        InputStream script = context.getResourceAsStream(SCRIPT);
        if (script == null) {
            return Errors.of(404, "This build has no client script");
        }
        StreamingOutput body = out -> {
            try (script) {
                script.transferTo(out);
            }
        };
        return Response.ok(body, "text/plain; charset=utf-8")
                .header("Content-Disposition", "inline; filename=polycache-deps").build();
    }
}
