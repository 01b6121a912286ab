/*
 * The transport side: callback I/O, errno handling, non-blocking
 * sockets, buffer limits, large transfers, truncation and close_notify.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A transport callback that fails with the errno in *userdata. */
static int failing_read(void *userdata, uint8_t *buf, size_t len, size_t *out_n)
{
    (void)buf;
    (void)len;
    (void)out_n;
    return *(int *)userdata;
}

static int failing_write(void *userdata, const uint8_t *buf, size_t len, size_t *out_n)
{
    (void)buf;
    (void)len;
    (void)out_n;
    return *(int *)userdata;
}

/* Callbacks over a socket, counting calls. */
struct sock {
    int fd;
    int reads, writes;
};

static int sock_read(void *userdata, uint8_t *buf, size_t len, size_t *out_n)
{
    struct sock *s = userdata;
    ssize_t n = recv(s->fd, buf, len, 0);
    s->reads++;
    if (n < 0)
        return errno;
    *out_n = (size_t)n;
    return 0;
}

static int sock_write(void *userdata, const uint8_t *buf, size_t len, size_t *out_n)
{
    struct sock *s = userdata;
    ssize_t n = send(s->fd, buf, len, MSG_NOSIGNAL);
    s->writes++;
    if (n < 0)
        return errno;
    *out_n = (size_t)n;
    return 0;
}

static oxtls_conn *new_conn(const char *ca)
{
    const oxtls_config *config = config_trusting(pki_path(ca));
    oxtls_conn *conn = NULL;
    CHECK_RESULT(oxtls_conn_new(config, "localhost", &conn), OXTLS_OK);
    oxtls_config_free(config);
    return conn;
}

/* Transport errors are reported with their errno and are not fatal:
 * EAGAIN (and EINTR from a callback) is OXTLS_WOULD_BLOCK, anything else
 * OXTLS_ERR_IO. */
static void transport_errors(void)
{
    oxtls_conn *conn = new_conn("ca.pem");
    size_t n = 99;
    int err;
    char message[256];

    err = EAGAIN;
    CHECK_RESULT(oxtls_conn_write_tls(conn, failing_write, &err, &n), OXTLS_WOULD_BLOCK);
    CHECK(n == 0);
    CHECK_RESULT(oxtls_conn_read_tls(conn, failing_read, &err, &n), OXTLS_WOULD_BLOCK);
    err = EWOULDBLOCK;
    CHECK_RESULT(oxtls_conn_read_tls(conn, failing_read, &err, &n), OXTLS_WOULD_BLOCK);
    /* A negated errno means the same; EINTR hands control back to our
     * loop as would-block rather than failing. */
    err = -EAGAIN;
    CHECK_RESULT(oxtls_conn_read_tls(conn, failing_read, &err, &n), OXTLS_WOULD_BLOCK);
    CHECK_RESULT(oxtls_conn_write_tls(conn, failing_write, &err, &n), OXTLS_WOULD_BLOCK);
    err = EINTR;
    CHECK_RESULT(oxtls_conn_read_tls(conn, failing_read, &err, &n), OXTLS_WOULD_BLOCK);
    CHECK_RESULT(oxtls_conn_write_tls(conn, failing_write, &err, &n), OXTLS_WOULD_BLOCK);
    err = -EINTR;
    CHECK_RESULT(oxtls_conn_read_tls(conn, failing_read, &err, &n), OXTLS_WOULD_BLOCK);
    CHECK(oxtls_conn_last_errno(conn) == 0); /* would-block is not an error */

    err = ECONNRESET;
    CHECK_RESULT(oxtls_conn_read_tls(conn, failing_read, &err, &n), OXTLS_ERR_IO);
    CHECK(oxtls_conn_last_errno(conn) == ECONNRESET);
    CHECK_RESULT(oxtls_conn_last_error(conn, message, sizeof message, &n), OXTLS_OK);
    CHECK(strstr(message, "read callback failed") != NULL);
    err = EPIPE;
    CHECK_RESULT(oxtls_conn_write_tls(conn, failing_write, &err, &n), OXTLS_ERR_IO);
    CHECK(oxtls_conn_last_errno(conn) == EPIPE);
    err = -ECONNRESET;
    CHECK_RESULT(oxtls_conn_read_tls(conn, failing_read, &err, &n), OXTLS_ERR_IO);
    CHECK(oxtls_conn_last_errno(conn) == ECONNRESET);
    err = INT_MIN; /* no errno, and no negation: reported as EIO */
    CHECK_RESULT(oxtls_conn_write_tls(conn, failing_write, &err, &n), OXTLS_ERR_IO);
    CHECK(oxtls_conn_last_errno(conn) == EIO);

    CHECK_RESULT(oxtls_conn_read_tls_fd(conn, -1, &n), OXTLS_ERR_IO);
    CHECK(oxtls_conn_last_errno(conn) == EBADF);
    CHECK_RESULT(oxtls_conn_write_tls_fd(conn, -1, &n), OXTLS_ERR_IO);
    CHECK(oxtls_conn_last_errno(conn) == EBADF);

    /* Not fatal: the ClientHello is still waiting to go. */
    CHECK(oxtls_conn_wants_write(conn));
    oxtls_conn_free(conn);
}

/* The fd conveniences also work on a pipe (write(2) for non-sockets). */
static void fd_transport_on_a_pipe(void)
{
    oxtls_conn *conn = new_conn("ca.pem");
    int pipe_fds[2];
    uint8_t hello[5];
    size_t n = 0;
    CHECK(pipe(pipe_fds) == 0);
    CHECK_RESULT(oxtls_conn_write_tls_fd(conn, pipe_fds[1], &n), OXTLS_OK);
    CHECK(n > 5 && !oxtls_conn_wants_write(conn));
    CHECK(read(pipe_fds[0], hello, 5) == 5);
    CHECK(hello[0] == 22); /* a handshake record: the ClientHello */
    close(pipe_fds[1]);
    CHECK_RESULT(oxtls_conn_read_tls_fd(conn, pipe_fds[1], &n), OXTLS_ERR_IO); /* closed fd */
    close(pipe_fds[0]);
    oxtls_conn_free(conn);
}

/* A whole exchange through the callbacks on a non-blocking socket. */
static void nonblocking_callbacks(void)
{
    oxtls_conn *conn = new_conn("ca.pem");
    struct sock s = {0, 0, 0};
    struct buffer page = {0};
    const char request[] = "GET / HTTP/1.0\r\n\r\n";
    uint8_t buf[4096];
    size_t n;
    oxtls_result r;
    int rounds = 0;

    s.fd = tcp_connect(server_port());
    CHECK(s.fd >= 0);
    fcntl(s.fd, F_SETFL, fcntl(s.fd, F_GETFL) | O_NONBLOCK);
    CHECK_RESULT(oxtls_conn_write(conn, (const uint8_t *)request, strlen(request), &n), OXTLS_OK);
    CHECK(n == strlen(request));
    /* The server says nothing before our ClientHello: nothing to read. */
    CHECK_RESULT(oxtls_conn_read_tls(conn, sock_read, &s, &n), OXTLS_WOULD_BLOCK);
    CHECK(n == 0 && oxtls_conn_last_errno(conn) == 0);

    for (r = OXTLS_OK; rounds < 1000; rounds++) {
        struct pollfd p;
        r = oxtls_conn_read(conn, buf, sizeof buf, &n);
        if (r == OXTLS_OK && n == 0)
            break;
        if (r == OXTLS_OK) {
            buffer_append(&page, buf, n);
            continue;
        }
        if (!CHECK_RESULT(r, OXTLS_PLAINTEXT_EMPTY))
            break;
        if (oxtls_conn_wants_write(conn)) {
            r = oxtls_conn_write_tls(conn, sock_write, &s, &n);
            if (r != OXTLS_WOULD_BLOCK && !CHECK_RESULT(r, OXTLS_OK))
                break;
        }
        r = oxtls_conn_read_tls(conn, sock_read, &s, &n);
        if (r == OXTLS_WOULD_BLOCK) {
            p.fd = s.fd;
            p.events = POLLIN;
            poll(&p, 1, 5000);
            continue;
        }
        if (!CHECK_RESULT(r, OXTLS_OK))
            break;
        if (!CHECK_RESULT(oxtls_conn_process_new_packets(conn), OXTLS_OK))
            break;
    }
    CHECK(buffer_contains(&page, "oxtls test server"));
    CHECK(s.reads > 1 && s.writes > 0);

    /* Close politely through the callback. */
    CHECK_RESULT(oxtls_conn_send_close_notify(conn), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_send_close_notify(conn), OXTLS_OK);
    CHECK(oxtls_conn_wants_write(conn));
    CHECK_RESULT(oxtls_conn_write_tls(conn, sock_write, &s, &n), OXTLS_OK);
    CHECK(n > 0);
    CHECK_RESULT(oxtls_conn_write(conn, (const uint8_t *)"x", 1, &n), OXTLS_ERR_ALREADY_CLOSED);

    close(s.fd);
    oxtls_conn_free(conn);
    buffer_free(&page);
}

/* Callbacks that call into their own connection before moving any bytes,
 * as a careless event loop might: every such call is refused and changes
 * nothing (were it not, the write buffer or the receive buffer lent to the
 * callback could move under it, which ASan and valgrind would report). */
struct reentrant {
    struct sock s;
    oxtls_conn *conn;
    int calls;
};

static void reenter(struct reentrant *r)
{
    const uint8_t *run = (const uint8_t *)1;
    uint8_t buf[16];
    size_t n = 99;
    r->calls++;
    CHECK_RESULT(oxtls_conn_write(r->conn, (const uint8_t *)"x", 1, &n), OXTLS_ERR_REENTRANT);
    CHECK(n == 0);
    CHECK_RESULT(oxtls_conn_send_close_notify(r->conn), OXTLS_ERR_REENTRANT);
    CHECK_RESULT(oxtls_conn_read(r->conn, buf, sizeof buf, &n), OXTLS_ERR_REENTRANT);
    CHECK_RESULT(oxtls_conn_peek_plaintext(r->conn, &run, &n), OXTLS_ERR_REENTRANT);
    CHECK(run == NULL && n == 0);
    CHECK_RESULT(oxtls_conn_consume_plaintext(r->conn, 0), OXTLS_ERR_REENTRANT);
    CHECK_RESULT(oxtls_conn_process_new_packets(r->conn), OXTLS_ERR_REENTRANT);
    /* Getters answer as for NULL. */
    CHECK(!oxtls_conn_wants_write(r->conn) && !oxtls_conn_wants_read(r->conn));
    CHECK(oxtls_conn_protocol_version(r->conn) == 0);
    CHECK(oxtls_conn_last_errno(r->conn) == 0);
    /* Does nothing: the outer call is still using the connection. */
    oxtls_conn_free(r->conn);
}

static int reentrant_read(void *userdata, uint8_t *buf, size_t len, size_t *out_n)
{
    reenter(userdata);
    return sock_read(&((struct reentrant *)userdata)->s, buf, len, out_n);
}

static int reentrant_write(void *userdata, const uint8_t *buf, size_t len, size_t *out_n)
{
    reenter(userdata);
    return sock_write(&((struct reentrant *)userdata)->s, buf, len, out_n);
}

/* A whole page fetched through callbacks that re-enter on every call. */
static void calls_from_inside_transport_callbacks(void)
{
    struct reentrant r = {{-1, 0, 0}, NULL, 0};
    struct buffer page = {0};
    const char request[] = "GET / HTTP/1.0\r\n\r\n";
    uint8_t buf[4096];
    size_t n;
    oxtls_result res;
    bool failed = false;
    int rounds;

    r.conn = new_conn("ca.pem");
    r.s.fd = tcp_connect(server_port());
    CHECK(r.s.fd >= 0);
    CHECK_RESULT(oxtls_conn_write(r.conn, (const uint8_t *)request, strlen(request), &n),
                 OXTLS_OK);
    for (rounds = 0; rounds < 1000 && !failed; rounds++) {
        res = oxtls_conn_read(r.conn, buf, sizeof buf, &n);
        if (res == OXTLS_OK && n == 0)
            break; /* close_notify */
        if (res == OXTLS_OK) {
            buffer_append(&page, buf, n);
            continue;
        }
        failed = !CHECK_RESULT(res, OXTLS_PLAINTEXT_EMPTY);
        while (!failed && oxtls_conn_wants_write(r.conn)) {
            failed = !CHECK_RESULT(oxtls_conn_write_tls(r.conn, reentrant_write, &r, &n),
                                   OXTLS_OK) ||
                     !CHECK(n > 0);
        }
        if (failed)
            break;
        failed = !CHECK_RESULT(oxtls_conn_read_tls(r.conn, reentrant_read, &r, &n), OXTLS_OK) ||
                 !CHECK(n > 0) ||
                 !CHECK_RESULT(oxtls_conn_process_new_packets(r.conn), OXTLS_OK);
    }
    CHECK(buffer_contains(&page, "oxtls test server"));
    CHECK(r.s.reads > 1 && r.s.writes > 1 && r.calls == r.s.reads + r.s.writes);
    CHECK(oxtls_conn_protocol_version(r.conn) == 0x0304);

    /* Not left busy: calls made outside the callbacks work again. */
    CHECK_RESULT(oxtls_conn_send_close_notify(r.conn), OXTLS_OK);
    CHECK(oxtls_conn_wants_write(r.conn));
    CHECK_RESULT(oxtls_conn_write_tls(r.conn, sock_write, &r.s, &n), OXTLS_OK);
    CHECK(n > 0 && !oxtls_conn_wants_write(r.conn));

    close(r.s.fd);
    oxtls_conn_free(r.conn);
    buffer_free(&page);
}

/* Checks that `page` (headers and body) ends with the 1 MiB body of
 * numbered lines the server sends for /big. */
static bool is_big_page(const struct buffer *page)
{
    const size_t body_len = 1 << 20;
    const uint8_t *body;
    char line[32];
    size_t i;
    if (!CHECK(page->len > body_len))
        return false;
    body = page->data + page->len - body_len;
    for (i = 0; i + 14 <= body_len; i += 14) {
        snprintf(line, sizeof line, "line %08zu\n", i / 14);
        if (memcmp(body + i, line, 14) != 0)
            return CHECK(!"the body is not the numbered lines");
    }
    return true;
}

/* A small buffer limit: read_tls refuses more until plaintext is read,
 * and nothing is lost. */
static void large_transfer_under_a_buffer_limit(void)
{
    oxtls_conn *conn = new_conn("ca.pem");
    struct buffer page = {0};
    const char request[] = "GET /big HTTP/1.0\r\n\r\n";
    uint8_t buf[1000];
    size_t n;
    oxtls_result r;
    int full = 0;
    int fd = tcp_connect(server_port());

    CHECK_RESULT(oxtls_conn_set_buffer_limit(conn, 4096), OXTLS_OK);
    CHECK_RESULT(handshake(conn, fd), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_write(conn, (const uint8_t *)request, strlen(request), &n), OXTLS_OK);
    CHECK_RESULT(flush_tls(conn, fd), OXTLS_OK);

    for (;;) {
        /* Read and process without taking plaintext until it is full. */
        r = oxtls_conn_read_tls_fd(conn, fd, &n);
        if (r == OXTLS_ERR_BUFFER_FULL) {
            full++;
            while ((r = oxtls_conn_read(conn, buf, sizeof buf, &n)) == OXTLS_OK && n > 0)
                buffer_append(&page, buf, n);
            if (r == OXTLS_OK)
                break; /* close_notify */
            continue;
        }
        if (!CHECK_RESULT(r, OXTLS_OK) || !CHECK_RESULT(oxtls_conn_process_new_packets(conn),
                                                        OXTLS_OK))
            break;
        if (n == 0) { /* end of stream: take the rest */
            while ((r = oxtls_conn_read(conn, buf, sizeof buf, &n)) == OXTLS_OK && n > 0)
                buffer_append(&page, buf, n);
            CHECK_RESULT(r, OXTLS_OK);
            break;
        }
    }
    CHECK(full > 0);
    is_big_page(&page);
    close(fd);
    oxtls_conn_free(conn);
    buffer_free(&page);
}

/* With no limit, the whole 1 MiB in one go of the helper. */
static void large_transfer_without_a_limit(void)
{
    oxtls_conn *conn = new_conn("ca.pem");
    struct buffer page = {0};
    int fd = tcp_connect(server_port());
    CHECK_RESULT(oxtls_conn_set_buffer_limit(conn, 0), OXTLS_OK);
    CHECK_RESULT(http_get(conn, fd, "/big", &page), OXTLS_OK);
    is_big_page(&page);
    close(fd);
    oxtls_conn_free(conn);
    buffer_free(&page);
}

/* The 1 MiB page read in place: peek lends each run where it was
 * decrypted, consume marks it read, and a copying read may interleave. */
static void large_transfer_read_in_place(void)
{
    oxtls_conn *conn = new_conn("ca.pem");
    struct buffer page = {0};
    const char request[] = "GET /big HTTP/1.0\r\n\r\n";
    const uint8_t *run = NULL, *again = NULL;
    uint8_t small[5];
    size_t n = 0, n2 = 0, runs = 0;
    oxtls_result r;
    int fd = tcp_connect(server_port());

    CHECK_RESULT(handshake(conn, fd), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_write(conn, (const uint8_t *)request, strlen(request), &n), OXTLS_OK);
    CHECK_RESULT(flush_tls(conn, fd), OXTLS_OK);
    for (;;) {
        r = oxtls_conn_peek_plaintext(conn, &run, &n);
        if (r == OXTLS_PLAINTEXT_EMPTY) {
            CHECK(run == NULL && n == 0);
            if (!CHECK_RESULT(exchange(conn, fd), OXTLS_OK))
                break;
            continue;
        }
        if (!CHECK_RESULT(r, OXTLS_OK) || n == 0)
            break; /* n == 0: close_notify */
        runs++;
        CHECK(n <= 16384);
        /* Peeking again without consuming lends the same bytes. */
        CHECK_RESULT(oxtls_conn_peek_plaintext(conn, &again, &n2), OXTLS_OK);
        CHECK(again == run && n2 == n);
        /* Consuming more than was lent is refused and takes nothing. */
        CHECK_RESULT(oxtls_conn_consume_plaintext(conn, n + 1), OXTLS_ERR_OUT_OF_RANGE);
        buffer_append(&page, run, n);
        CHECK_RESULT(oxtls_conn_consume_plaintext(conn, n), OXTLS_OK);
        if (runs % 4 == 0 &&
            oxtls_conn_read(conn, small, sizeof small, &n) == OXTLS_OK)
            buffer_append(&page, small, n);
    }
    CHECK(runs > 64);
    is_big_page(&page);
    CHECK_RESULT(oxtls_conn_peek_plaintext(NULL, &run, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_peek_plaintext(conn, NULL, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_peek_plaintext(conn, &run, NULL), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_consume_plaintext(NULL, 0), OXTLS_ERR_NULL_PARAMETER);
    close(fd);
    oxtls_conn_free(conn);
    buffer_free(&page);
}

/* The send side of the limit: a write takes what fits, then refuses
 * until TLS data is written out. */
static void write_under_a_buffer_limit(void)
{
    oxtls_conn *conn = new_conn("ca.pem");
    uint8_t data[1000];
    size_t n = 0;
    int pipe_fds[2];
    memset(data, 'x', sizeof data);
    CHECK(pipe(pipe_fds) == 0);
    CHECK_RESULT(oxtls_conn_set_buffer_limit(conn, 100), OXTLS_OK);
    /* The queued ClientHello alone is over the limit. */
    CHECK_RESULT(oxtls_conn_write(conn, data, sizeof data, &n), OXTLS_ERR_BUFFER_FULL);
    CHECK(n == 0);
    CHECK_RESULT(oxtls_conn_write_tls_fd(conn, pipe_fds[1], &n), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_write(conn, data, sizeof data, &n), OXTLS_OK);
    CHECK(n == 100);
    CHECK_RESULT(oxtls_conn_write(conn, data, sizeof data, &n), OXTLS_ERR_BUFFER_FULL);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    oxtls_conn_free(conn);
}

/* The server closes the TCP connection without close_notify after the
 * page: the data may have been truncated, and read says so. */
static void truncation_is_reported(void)
{
    const oxtls_config *config = config_trusting(pki_path("ca.pem"));
    oxtls_conn *conn = NULL;
    struct buffer page = {0};
    uint8_t buf[16];
    size_t n;
    CHECK_RESULT(fetch(config, "localhost", server_port(), "/eof", &page, &conn),
                 OXTLS_ERR_UNEXPECTED_EOF);
    CHECK(buffer_contains(&page, "oxtls test server"));
    CHECK(oxtls_result_is_io_error(OXTLS_ERR_UNEXPECTED_EOF));
    /* It stays so. */
    CHECK_RESULT(oxtls_conn_read(conn, buf, sizeof buf, &n), OXTLS_ERR_UNEXPECTED_EOF);
    oxtls_conn_free(conn);
    oxtls_config_free(config);
    buffer_free(&page);
}

/* The transport ends during the handshake: processing says so at once,
 * so a loop waiting on wants_read does not wait for a flight that cannot
 * come, and every later call says it again. */
static void eof_during_the_handshake(void)
{
    oxtls_conn *conn = new_conn("ca.pem");
    int fds[2];
    uint8_t buf[16];
    size_t n = 99;
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    close(fds[1]);
    CHECK_RESULT(oxtls_conn_read_tls_fd(conn, fds[0], &n), OXTLS_OK);
    CHECK(n == 0);
    CHECK_RESULT(oxtls_conn_process_new_packets(conn), OXTLS_ERR_UNEXPECTED_EOF);
    CHECK_RESULT(oxtls_conn_read(conn, buf, sizeof buf, &n), OXTLS_ERR_UNEXPECTED_EOF);
    close(fds[0]);
    oxtls_conn_free(conn);
}

/* A peer that has gone is EPIPE, not a SIGPIPE that kills the program:
 * the signal's default action is restored to be sure nothing else here
 * ignores it. On Apple systems the caller sets SO_NOSIGPIPE, as the
 * header asks. */
static void epipe_not_sigpipe(void)
{
    oxtls_conn *conn = new_conn("ca.pem");
    struct sigaction dfl, old;
    int fds[2];
    size_t n = 99;
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
#ifdef __APPLE__
    {
        int on = 1;
        CHECK(setsockopt(fds[0], SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on) == 0);
    }
#endif
    close(fds[1]);
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    CHECK(sigaction(SIGPIPE, &dfl, &old) == 0);
    CHECK_RESULT(oxtls_conn_write_tls_fd(conn, fds[0], &n), OXTLS_ERR_IO);
    CHECK(sigaction(SIGPIPE, &old, NULL) == 0);
    CHECK(n == 0 && oxtls_conn_last_errno(conn) == EPIPE);
    close(fds[0]);
    oxtls_conn_free(conn);
}

/* Garbage from the "server" is a protocol error, and fatal. */
static void garbage_from_the_peer(void)
{
    oxtls_conn *conn = new_conn("ca.pem");
    int fds[2];
    size_t n;
    const char garbage[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
    uint8_t out[64];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    CHECK(write(fds[1], garbage, strlen(garbage)) == (ssize_t)strlen(garbage));
    CHECK_RESULT(oxtls_conn_read_tls_fd(conn, fds[0], &n), OXTLS_OK);
    {
        oxtls_result r = oxtls_conn_process_new_packets(conn);
        CHECK(oxtls_result_is_protocol_error(r));
        CHECK_RESULT(oxtls_conn_process_new_packets(conn), r);
        CHECK_RESULT(oxtls_conn_read(conn, out, sizeof out, &n), r);
    }
    /* The alert is still sent. */
    CHECK(oxtls_conn_wants_write(conn));
    CHECK_RESULT(oxtls_conn_write_tls_fd(conn, fds[0], &n), OXTLS_OK);
    CHECK(n > 0);
    close(fds[0]);
    close(fds[1]);
    oxtls_conn_free(conn);
}

const struct test io_tests[] = {
    {"transport_errors", transport_errors},
    {"epipe_not_sigpipe", epipe_not_sigpipe},
    {"fd_transport_on_a_pipe", fd_transport_on_a_pipe},
    {"nonblocking_callbacks", nonblocking_callbacks},
    {"calls_from_inside_transport_callbacks", calls_from_inside_transport_callbacks},
    {"large_transfer_under_a_buffer_limit", large_transfer_under_a_buffer_limit},
    {"large_transfer_without_a_limit", large_transfer_without_a_limit},
    {"large_transfer_read_in_place", large_transfer_read_in_place},
    {"write_under_a_buffer_limit", write_under_a_buffer_limit},
    {"truncation_is_reported", truncation_is_reported},
    {"eof_during_the_handshake", eof_during_the_handshake},
    {"garbage_from_the_peer", garbage_from_the_peer},
    {NULL, NULL},
};
