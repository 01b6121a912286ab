/*
 * The harness's checks, helpers and main(): runs every suite (or those
 * named on the command line) and ends with "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static bool current_failed;

bool check_true(bool ok, const char *expr, const char *file, int line)
{
    if (!ok) {
        current_failed = true;
        printf("    check failed at %s:%d: %s\n", file, line, expr);
    }
    return ok;
}

bool check_result(oxtls_result got, oxtls_result want, const char *expr, const char *file,
                  int line)
{
    if (got != want) {
        current_failed = true;
        printf("    check failed at %s:%d: %s\n      gave %u (%s), expected %u (%s)\n", file,
               line, expr, got, oxtls_result_message(got), want, oxtls_result_message(want));
    }
    return got == want;
}

static const char *env_or_die(const char *name)
{
    const char *value = getenv(name);
    if (value == NULL || value[0] == '\0') {
        fprintf(stderr, "c_tests: %s is not set (run the tests with tests/c/run.sh)\n", name);
        exit(2);
    }
    return value;
}

const char *pki_path(const char *name)
{
    static char paths[4][4096];
    static int next;
    char *path = paths[next++ % 4];
    snprintf(path, sizeof paths[0], "%s/%s", env_or_die("OXTLS_TEST_DIR"), name);
    return path;
}

int server_port(void) { return atoi(env_or_die("OXTLS_TEST_PORT")); }
int openssl_port(void) { return atoi(env_or_die("OXTLS_TEST_OPENSSL_PORT")); }
int openssl12_port(void) { return atoi(env_or_die("OXTLS_TEST_OPENSSL12_PORT")); }
int openssl_mtls_port(void) { return atoi(env_or_die("OXTLS_TEST_OPENSSL_MTLS_PORT")); }
int openssl_early_port(void) { return atoi(env_or_die("OXTLS_TEST_OPENSSL_EARLY_PORT")); }
const char *openssl_early_log(void) { return env_or_die("OXTLS_TEST_OPENSSL_EARLY_LOG"); }

int tcp_connect(int port)
{
    struct sockaddr_in addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

const oxtls_config *config_trusting(const char *ca_file)
{
    const oxtls_config *config = NULL;
    oxtls_config_builder *b = oxtls_config_builder_new();
    if (!CHECK_RESULT(oxtls_config_builder_load_roots_file(b, ca_file), OXTLS_OK)) {
        oxtls_config_builder_free(b);
        return NULL;
    }
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    return config;
}

void buffer_append(struct buffer *b, const uint8_t *data, size_t len)
{
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len)
            cap *= 2;
        b->data = realloc(b->data, cap);
        if (b->data == NULL)
            abort();
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

bool buffer_contains(const struct buffer *b, const char *needle)
{
    size_t n = strlen(needle), i;
    for (i = 0; b->data != NULL && i + n <= b->len; i++)
        if (memcmp(b->data + i, needle, n) == 0)
            return true;
    return false;
}

void buffer_free(struct buffer *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

oxtls_result exchange(oxtls_conn *conn, int fd)
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
    if (n == 0 && oxtls_conn_is_handshaking(conn))
        return OXTLS_ERR_UNEXPECTED_EOF;
    return oxtls_conn_process_new_packets(conn);
}

oxtls_result flush_tls(oxtls_conn *conn, int fd)
{
    size_t n;
    oxtls_result r = OXTLS_OK;
    while (r == OXTLS_OK && oxtls_conn_wants_write(conn))
        r = oxtls_conn_write_tls_fd(conn, fd, &n);
    return r;
}

oxtls_result handshake(oxtls_conn *conn, int fd)
{
    oxtls_result r = OXTLS_OK;
    while (r == OXTLS_OK && oxtls_conn_is_handshaking(conn))
        r = exchange(conn, fd);
    /* Send our Finished, or the alert that says why we failed. */
    flush_tls(conn, fd);
    return r;
}

oxtls_result http_get(oxtls_conn *conn, int fd, const char *path, struct buffer *response)
{
    char request[512];
    uint8_t buf[8192];
    size_t n;
    oxtls_result r;
    snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n", path);
    r = oxtls_conn_write(conn, (const uint8_t *)request, strlen(request), &n);
    if (r != OXTLS_OK)
        return r;
    if (n != strlen(request))
        return OXTLS_ERR_GENERAL;
    for (;;) {
        r = oxtls_conn_read(conn, buf, sizeof buf, &n);
        if (r == OXTLS_OK && n == 0)
            return OXTLS_OK;
        if (r == OXTLS_OK)
            buffer_append(response, buf, n);
        else if (r == OXTLS_PLAINTEXT_EMPTY)
            r = exchange(conn, fd);
        if (r != OXTLS_OK) {
            exchange(conn, fd);
            return r;
        }
    }
}

oxtls_result fetch(const oxtls_config *config, const char *server_name, int port,
                   const char *path, struct buffer *response, oxtls_conn **keep)
{
    oxtls_conn *conn = NULL;
    oxtls_result r = oxtls_conn_new(config, server_name, &conn);
    int fd;
    if (r != OXTLS_OK)
        return r;
    fd = tcp_connect(port);
    if (!CHECK(fd >= 0)) {
        oxtls_conn_free(conn);
        return OXTLS_ERR_IO;
    }
    r = http_get(conn, fd, path, response);
    close(fd);
    if (keep != NULL)
        *keep = conn;
    else
        oxtls_conn_free(conn);
    return r;
}

static const struct {
    const char *name;
    const struct test *tests;
} suites[] = {
    {"api", api_tests},   {"config", config_tests},   {"conn", conn_tests},
    {"io", io_tests},     {"openssl", openssl_tests},     {"resumption", resumption_tests},
};

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    size_t s;
    const struct test *t;
    /* Unbuffered, so output interleaves with sanitizer and valgrind reports. */
    setvbuf(stdout, NULL, _IONBF, 0);
    for (s = 0; s < sizeof suites / sizeof suites[0]; s++) {
        int a, chosen = argc < 2;
        for (a = 1; a < argc; a++)
            chosen |= strcmp(argv[a], suites[s].name) == 0;
        if (!chosen)
            continue;
        for (t = suites[s].tests; t->name != NULL; t++) {
            current_failed = false;
            t->run();
            printf("%s %s/%s\n", current_failed ? "FAIL" : "ok  ", suites[s].name, t->name);
            if (current_failed)
                failed++;
            else
                passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
