package io.polycache.web.filter;

import io.polycache.web.Services;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;

/**
 * Base of every Polycache filter: takes the services the start-up listener built, once, and
 * refuses to start without them.
 */
public abstract class ServiceFilter extends HttpFilter {
    @Override
    public final void init(FilterConfig config) throws ServletException {
        Object services = config.getServletContext().getAttribute(Services.ATTRIBUTE);
        if (!(services instanceof Services found)) {
            throw new ServletException("Polycache services are missing: the start-up listener did not run");
        }
        init(found);
    }

    /** Reads what the filter needs from the services. */
    protected abstract void init(Services services) throws ServletException;
}
