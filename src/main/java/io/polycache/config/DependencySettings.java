package io.polycache.config;

/**
 * The dependency cache's parameters.
 *
 * @param baseUrl               public address for download links, without a trailing slash;
 *                              "" to derive it from each request
 * @param installConcurrency    installs of distinct bundles that run at once
 * @param installQueueSize      installs that may wait for a slot before requests get 503
 * @param installTimeoutSeconds how long one install may run before its process tree is killed
 */
public record DependencySettings(String baseUrl, int installConcurrency, int installQueueSize,
        int installTimeoutSeconds) {}
