/*
 * https_get: fetch a page over HTTPS with oxtls, on a blocking socket.
 *
 *     https_get HOST PORT PATH [--cafile FILE] [--alpn PROTO]
 *
 * Prints the response body to stdout, and one line to stderr saying what
 * the handshake agreed:
 *
 *     https_get: TLSv1.3, TLS_AES_128_GCM_SHA256, ALPN http/1.1
 *
 * The server is verified against FILE (a PEM file or a hashed directory),
 * or the system's roots without --cafile. HOST may be a DNS name or an IP
 * address; the certificate must be valid for it.
 */
#define _POSIX_C_SOURCE 200112L

#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <oxtls.h>

/* Says what failed, with oxtls's detailed message when there is one. */
static int fail(const char *what, oxtls_result result, const oxtls_conn *conn)
{
    char detail[512] = "";
    size_t n;
    if (conn != NULL)
        oxtls_conn_last_error(conn, detail, sizeof detail, &n);
    fprintf(stderr, "https_get: %s: %s%s%s\n", what, oxtls_result_message(result),
            detail[0] ? ": " : "", detail);
    return 1;
}

/* A TCP connection to HOST:PORT (any of its addresses), or -1. */
static int connect_tcp(const char *host, const char *port)
{
    struct addrinfo hints, *addrs, *a;
    int fd = -1;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &addrs) != 0)
        return -1;
    for (a = addrs; a != NULL && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(addrs);
    return fd;
}

/* One round of TLS I/O: send everything queued, then (if the connection
 * wants it) read once from the socket and process what arrived. */
static oxtls_result exchange(oxtls_conn *conn, int fd)
{
    size_t n;
    oxtls_result r;
    while (oxtls_conn_wants_write(conn)) {
        r = oxtls_conn_write_tls_fd(conn, fd, &n);
        if (r != OXTLS_OK)
            return r;
    }
    if (!oxtls_conn_wants_read(conn))
        return OXTLS_OK;
    r = oxtls_conn_read_tls_fd(conn, fd, &n);
    if (r != OXTLS_OK)
        return r;
    return oxtls_conn_process_new_packets(conn);
}

static void print_handshake(const oxtls_conn *conn)
{
    const uint8_t *alpn;
    size_t alpn_len;
    oxtls_conn_alpn_protocol(conn, &alpn, &alpn_len);
    fprintf(stderr, "https_get: %s, %s, ALPN %.*s\n",
            oxtls_protocol_version_name(oxtls_conn_protocol_version(conn)),
            oxtls_cipher_suite_name(oxtls_conn_cipher_suite(conn)),
            alpn ? (int)alpn_len : 6, alpn ? (const char *)alpn : "(none)");
}

/* Writes what follows the response headers to stdout. `matched` counts
 * how much of the blank line ending the headers has been seen. */
static void print_body(const uint8_t *buf, size_t len, int *matched)
{
    static const char end[] = "\r\n\r\n";
    size_t i = 0;
    while (*matched < 4 && i < len) {
        char c = (char)buf[i++];
        *matched = c == end[*matched] ? *matched + 1 : (c == '\r' ? 1 : 0);
    }
    if (*matched == 4)
        fwrite(buf + i, 1, len - i, stdout);
}

int main(int argc, char **argv)
{
    const char *cafile = NULL, *alpn = NULL;
    oxtls_config_builder *builder;
    const oxtls_config *config;
    oxtls_conn *conn;
    oxtls_result r;
    char request[1024];
    uint8_t buf[16384];
    size_t n;
    int fd, i, matched = 0;
    bool told_handshake = false;

    if (argc < 4) {
        fprintf(stderr, "usage: https_get HOST PORT PATH [--cafile FILE] [--alpn PROTO]\n");
        return 2;
    }
    for (i = 4; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--cafile") == 0)
            cafile = argv[i + 1];
        else if (strcmp(argv[i], "--alpn") == 0)
            alpn = argv[i + 1];
    }

    /* The config: whom to trust and what to offer. */
    builder = oxtls_config_builder_new();
    r = cafile ? oxtls_config_builder_load_roots_file(builder, cafile)
               : oxtls_config_builder_load_system_roots(builder);
    if (r == OXTLS_OK && alpn != NULL)
        r = oxtls_config_builder_set_alpn_protocols(builder, &alpn, 1);
    if (r != OXTLS_OK) {
        oxtls_config_builder_free(builder);
        return fail("configuring", r, NULL);
    }
    r = oxtls_config_builder_build(builder, &config); /* consumes builder */
    if (r != OXTLS_OK)
        return fail("building the config", r, NULL);

    /* The connection keeps its own reference to the config. */
    r = oxtls_conn_new(config, argv[1], &conn);
    oxtls_config_free(config);
    if (r != OXTLS_OK)
        return fail("starting the connection", r, NULL);

    fd = connect_tcp(argv[1], argv[2]);
    if (fd < 0) {
        oxtls_conn_free(conn);
        fprintf(stderr, "https_get: cannot connect to %s port %s\n", argv[1], argv[2]);
        return 1;
    }

    /* The request is held until the handshake completes. */
    snprintf(request, sizeof request,
             "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n", argv[3], argv[1]);
    r = oxtls_conn_write(conn, (const uint8_t *)request, strlen(request), &n);

    /* Read the response until the server closes. */
    while (r == OXTLS_OK) {
        r = oxtls_conn_read(conn, buf, sizeof buf, &n);
        if (r == OXTLS_OK && n == 0)
            break; /* close_notify: the whole response is here */
        if (r == OXTLS_OK) {
            print_body(buf, n, &matched);
        } else if (r == OXTLS_PLAINTEXT_EMPTY) {
            r = exchange(conn, fd);
            /* Data that arrived before a failure is still read first; the
             * read after it reports the failure. */
            if (r != OXTLS_OK && oxtls_conn_plaintext_bytes_to_read(conn) > 0)
                r = OXTLS_OK;
            if (r == OXTLS_OK && !told_handshake && !oxtls_conn_is_handshaking(conn)) {
                print_handshake(conn);
                told_handshake = true;
            }
        }
    }
    if (r != OXTLS_OK) {
        fail("fetching the page", r, conn);
        /* Send the alert saying why, if any; nothing more is read. */
        while (oxtls_conn_wants_write(conn) && oxtls_conn_write_tls_fd(conn, fd, &n) == OXTLS_OK)
            ;
    } else {
        oxtls_conn_send_close_notify(conn);
        exchange(conn, fd);
    }
    close(fd);
    oxtls_conn_free(conn);
    return r == OXTLS_OK ? 0 : 1;
}
