package io.polycache.store;

/**
 * One protocol's keyspace: its name (one or more segments separated by {@code /}, such as
 * {@code polykit} or {@code turbo/web}) and its write policy. The first segment is the protocol,
 * under which entries are counted and accounted. Names are checked here, once, so a namespace
 * can never name a directory outside its own.
 */
public record Namespace(String name, WritePolicy policy) {
    public static final int MAX_LENGTH = 128;

    public Namespace {
        if (!isValid(name)) {
            throw new IllegalArgumentException("not a namespace name: " + name);
        }
        if (policy == null) {
            throw new IllegalArgumentException("namespace " + name + " has no write policy");
        }
    }

    /** Whether {@code name} is a valid namespace name: safe segments, see {@link Names#isSafeSegment}. */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return false;
        }
        for (String segment : name.split("/", -1)) {
            if (!Names.isSafeSegment(segment, 64)) {
                return false;
            }
        }
        return true;
    }

    /** The protocol this namespace belongs to: its first segment. */
    public String protocol() {
        int slash = name.indexOf('/');
        return slash < 0 ? name : name.substring(0, slash);
    }

    @Override
    public String toString() {
        return name;
    }
}
