# shellcheck shell=bash
# The nginx configuration every benchmark's nginx shares (sourced by common.sh and reads-ab.sh).

# nginx_conf_head PREFIX: nginx.conf up to the http block's own settings, open (the caller adds
# its server block and closes the http block). PREFIX holds the pid file and logs/.
nginx_conf_head() {
    cat <<EOF
user nobody nogroup;
worker_processes auto;
pid $1/nginx.pid;
error_log $1/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 65;
EOF
}

# nginx_static_conf PREFIX PORT LOCATION DIR: a whole nginx.conf sending the files of DIR under
# LOCATION on 127.0.0.1:PORT.
nginx_static_conf() {
    nginx_conf_head "$1"
    cat <<EOF
    default_type application/zstd;
    server {
        listen 127.0.0.1:$2;
        location $3 { alias $4/; }
    }
}
EOF
}
