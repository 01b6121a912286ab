/*
 * nonblocking_get: fetch a page over HTTPS with oxtls on a non-blocking
 * socket, driven by poll() and oxtls's callback I/O: the shape of an
 * event loop.
 *
 *     nonblocking_get HOST PORT PATH [--cafile FILE] [--alpn PROTO]
 *
 * Output as https_get's: the response body on stdout, and on stderr
 *
 *     nonblocking_get: TLSv1.3, TLS_AES_128_GCM_SHA256, ALPN http/1.1
 */
#define _POSIX_C_SOURCE 200112L

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <oxtls.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* How long to wait for the socket before giving up, in milliseconds. */
#define TIMEOUT_MS 10000

static int fail(const char *what, oxtls_result result, const oxtls_conn *conn)
{
    char detail[512] = "";
    size_t n;
    if (conn != NULL)
        oxtls_conn_last_error(conn, detail, sizeof detail, &n);
    fprintf(stderr, "nonblocking_get: %s: %s%s%s\n", what, oxtls_result_message(result),
            detail[0] ? ": " : "", detail);
    return 1;
}

/* oxtls's transport callbacks: `userdata` points to the socket. They
 * return 0 or an errno value; EAGAIN tells oxtls to return
 * OXTLS_WOULD_BLOCK. */
static int sock_read(void *userdata, uint8_t *buf, size_t len, size_t *out_n)
{
    ssize_t n = recv(*(int *)userdata, buf, len, 0);
    if (n < 0)
        return errno;
    *out_n = (size_t)n;
    return 0;
}

static int sock_write(void *userdata, const uint8_t *buf, size_t len, size_t *out_n)
{
    ssize_t n = send(*(int *)userdata, buf, len, MSG_NOSIGNAL);
    if (n < 0)
        return errno;
    *out_n = (size_t)n;
    return 0;
}

/* Waits for `events` on fd; false on timeout or error. */
static bool wait_for(int fd, short events)
{
    struct pollfd p;
    p.fd = fd;
    p.events = events;
    p.revents = 0;
    return poll(&p, 1, TIMEOUT_MS) > 0;
}

/* A non-blocking TCP connection to HOST:PORT, connected, or -1. */
static int connect_nonblocking(const char *host, const char *port)
{
    struct addrinfo hints, *addrs, *a;
    int fd = -1, err;
    socklen_t err_len = sizeof err;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &addrs) != 0)
        return -1;
    for (a = addrs; a != NULL && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0)
            continue;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
            break;
        /* In progress: writable means connected or failed. */
        if (errno == EINPROGRESS && wait_for(fd, POLLOUT) &&
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) == 0 && err == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(addrs);
    return fd;
}

static void print_handshake(const oxtls_conn *conn)
{
    const uint8_t *alpn;
    size_t alpn_len;
    oxtls_conn_alpn_protocol(conn, &alpn, &alpn_len);
    fprintf(stderr, "nonblocking_get: %s, %s, ALPN %.*s\n",
            oxtls_protocol_version_name(oxtls_conn_protocol_version(conn)),
            oxtls_cipher_suite_name(oxtls_conn_cipher_suite(conn)),
            alpn ? (int)alpn_len : 6, alpn ? (const char *)alpn : "(none)");
}

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

/* Runs the event loop until the response is complete (OXTLS_OK) or
 * something fails. */
static oxtls_result run(oxtls_conn *conn, int fd)
{
    uint8_t buf[16384];
    size_t n;
    int matched = 0;
    bool told_handshake = false;
    oxtls_result r;

    for (;;) {
        /* Take all the plaintext there is. */
        while ((r = oxtls_conn_read(conn, buf, sizeof buf, &n)) == OXTLS_OK) {
            if (n == 0)
                return OXTLS_OK; /* close_notify: done */
            print_body(buf, n, &matched);
        }
        if (r != OXTLS_PLAINTEXT_EMPTY)
            return r;

        /* Wait for the socket to be ready for what the connection wants. */
        short events = (short)((oxtls_conn_wants_read(conn) ? POLLIN : 0) |
                               (oxtls_conn_wants_write(conn) ? POLLOUT : 0));
        if (!wait_for(fd, events)) {
            fprintf(stderr, "nonblocking_get: timed out\n");
            return OXTLS_ERR_IO;
        }

        if (oxtls_conn_wants_write(conn)) {
            r = oxtls_conn_write_tls(conn, sock_write, &fd, &n);
            if (r != OXTLS_OK && r != OXTLS_WOULD_BLOCK)
                return r;
        }
        if (oxtls_conn_wants_read(conn)) {
            r = oxtls_conn_read_tls(conn, sock_read, &fd, &n);
            if (r == OXTLS_WOULD_BLOCK)
                continue; /* woke for writing only */
            if (r != OXTLS_OK)
                return r;
            /* A failure shows in the next read, after the data that
             * arrived before it. */
            if (oxtls_conn_process_new_packets(conn) != OXTLS_OK)
                continue;
        }
        if (!told_handshake && !oxtls_conn_is_handshaking(conn)) {
            print_handshake(conn);
            told_handshake = true;
        }
    }
}

/* Best effort: sends what is queued (an alert, a close_notify). */
static void flush(oxtls_conn *conn, int fd)
{
    size_t n;
    while (oxtls_conn_wants_write(conn) && wait_for(fd, POLLOUT))
        if (oxtls_conn_write_tls(conn, sock_write, &fd, &n) != OXTLS_OK)
            break;
}

int main(int argc, char **argv)
{
    const char *cafile = NULL, *alpn = NULL;
    oxtls_config_builder *builder;
    const oxtls_config *config;
    oxtls_conn *conn;
    oxtls_result r;
    char request[1024];
    size_t n;
    int fd, i;

    if (argc < 4) {
        fprintf(stderr, "usage: nonblocking_get HOST PORT PATH [--cafile FILE] [--alpn PROTO]\n");
        return 2;
    }
    for (i = 4; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--cafile") == 0)
            cafile = argv[i + 1];
        else if (strcmp(argv[i], "--alpn") == 0)
            alpn = argv[i + 1];
    }

    builder = oxtls_config_builder_new();
    r = cafile ? oxtls_config_builder_load_roots_file(builder, cafile)
               : oxtls_config_builder_load_system_roots(builder);
    if (r == OXTLS_OK && alpn != NULL)
        r = oxtls_config_builder_set_alpn_protocols(builder, &alpn, 1);
    if (r != OXTLS_OK) {
        oxtls_config_builder_free(builder);
        return fail("configuring", r, NULL);
    }
    r = oxtls_config_builder_build(builder, &config);
    if (r != OXTLS_OK)
        return fail("building the config", r, NULL);
    r = oxtls_conn_new(config, argv[1], &conn);
    oxtls_config_free(config);
    if (r != OXTLS_OK)
        return fail("starting the connection", r, NULL);

    fd = connect_nonblocking(argv[1], argv[2]);
    if (fd < 0) {
        oxtls_conn_free(conn);
        fprintf(stderr, "nonblocking_get: cannot connect to %s port %s\n", argv[1], argv[2]);
        return 1;
    }

    snprintf(request, sizeof request,
             "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n", argv[3], argv[1]);
    r = oxtls_conn_write(conn, (const uint8_t *)request, strlen(request), &n);
    if (r == OXTLS_OK)
        r = run(conn, fd);
    if (r == OXTLS_OK)
        oxtls_conn_send_close_notify(conn);
    else
        fail("fetching the page", r, conn);
    flush(conn, fd);
    close(fd);
    oxtls_conn_free(conn);
    return r == OXTLS_OK ? 0 : 1;
}
