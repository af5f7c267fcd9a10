package io.polycache.web.turbo;

import io.polycache.auth.KeyParser;
import io.polycache.store.Names;
import io.polycache.store.Namespace;
import io.polycache.store.WritePolicy;
import java.util.Optional;

/**
 * A Turborepo team: its artifacts are the namespace {@code turbo/<team>}, which no other team
 * sees. Turbo names the team by {@code ?teamId=} ({@code TURBO_TEAMID}) and {@code ?slug=}
 * ({@code TURBO_TEAM}); the id wins when both are sent, as in turborepo-remote-cache.
 */
public record TurboTeam(String name, Namespace namespace) {
    public static final int MAX_NAME = KeyParser.MAX_TEAM;

    /** The team a request names, or null when it names none. */
    static String nameOf(String teamId, String slug) {
        if (teamId != null && !teamId.isEmpty()) {
            return teamId;
        }
        return slug == null || slug.isEmpty() ? null : slug;
    }

    /** The team of that name, or empty when the name is not a safe namespace segment. */
    public static Optional<TurboTeam> parse(String name) {
        if (!Names.isSafeSegment(name, MAX_NAME)) {
            return Optional.empty();
        }
        return Optional.of(new TurboTeam(name, new Namespace("turbo/" + name, WritePolicy.REPLACE)));
    }
}
