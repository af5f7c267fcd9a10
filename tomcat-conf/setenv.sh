# Polycache: JVM settings for the Tomcat that runs it.
#
# Goes to $CATALINA_BASE/bin/setenv.sh; catalina.sh sources it at every start (so does
# Debian's tomcat10 service, whose CATALINA_BASE is /var/lib/tomcat10 - create bin/ there).
# It is sourced, not run: no shebang needed, mode 0644 is enough.

# Heap. Polycache streams artifact bodies between the socket and the disk in small buffers;
# it never holds a body in memory, and the kernel's page cache, not the heap, is what makes
# repeated downloads fast. So keep the heap modest and leave the machine's RAM to the page
# cache: 1 GiB serves hundreds of concurrent transfers. Raise it only if the GC log says so.
#
# G1: short pauses at this heap size. Named explicitly because on a machine with fewer than
# 2 CPUs or under 1792 MiB of RAM the JVM would otherwise pick the serial collector.
#
# ExitOnOutOfMemoryError: a JVM out of memory is in an unknown state; exit so that systemd
# (Restart=on-failure) starts a clean one instead of serving errors.
#
# file.encoding: Java 17's default depends on the locale, which a service often lacks.
CATALINA_OPTS="$CATALINA_OPTS -Xms256m -Xmx1g \
 -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
 -Dfile.encoding=UTF-8 -Djava.awt.headless=true"

# java.io.tmpdir: left where catalina.sh puts it, $CATALINA_BASE/temp (CATALINA_TMPDIR).
# Polycache does not use it for uploads: it writes them to <storageDir>/tmp, on the storage
# filesystem, so the final rename is atomic. Pointing java.io.tmpdir at the storage
# filesystem would gain nothing and would let Tomcat's and libraries' scratch files eat cache
# space; pointing it at a shared /tmp would expose them to other users and to tmp cleaners.
# Keep $CATALINA_BASE/temp private to Tomcat's user (mode 0750).
#
# zstd-jni unpacks its native library into java.io.tmpdir at start-up, so that directory
# must allow executables (not mounted noexec).

# Files Tomcat creates (logs, unpacked webapp) are not world-readable. This is Tomcat's
# default; said here so nobody loosens it.
UMASK=0027

# JAVA_HOME: Debian's default JRE. Debian's tomcat10 service finds Java by itself.
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/default-java}
