/*
 * A small test harness for the C API tests: checks that count, test
 * suites as tables, and helpers to reach the test servers that
 * tests/c/run.sh starts (it passes their ports and the PKI directory in
 * the environment).
 */
#ifndef OXTLS_TEST_HARNESS_H
#define OXTLS_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <oxtls.h>

struct test {
    const char *name;
    void (*run)(void);
};

/* Each suite is a table ending with {NULL, NULL}. */
extern const struct test api_tests[];
extern const struct test config_tests[];
extern const struct test conn_tests[];
extern const struct test io_tests[];
extern const struct test openssl_tests[];
extern const struct test resumption_tests[];

/* A failed check marks the running test failed and says where. */
#define CHECK(cond) check_true((cond), #cond, __FILE__, __LINE__)
#define CHECK_RESULT(expr, want) check_result((expr), (want), #expr, __FILE__, __LINE__)
bool check_true(bool ok, const char *expr, const char *file, int line);
bool check_result(oxtls_result got, oxtls_result want, const char *expr, const char *file, int line);

/* $OXTLS_TEST_DIR/name (ca.pem, other-ca.pem, hashed/, ...), in one of a
 * few rotating static buffers. */
const char *pki_path(const char *name);
/* The rustls test server, `openssl s_server -www`, and one limited to
 * TLS 1.2. */
int server_port(void);
int openssl_port(void);
int openssl12_port(void);
/* `s_server -www -Verify 1`: requires a client certificate chaining to
 * ca.pem (the test server writes client-cert.pem and client-key.pem). */
int openssl_mtls_port(void);
/* An interactive `s_server -early_data` (TLS 1.3), and the file its
 * output (what it received) goes to. */
int openssl_early_port(void);
const char *openssl_early_log(void);

/* A blocking TCP connection to 127.0.0.1:port, or -1. */
int tcp_connect(int port);

/* A config trusting the PEM file `ca_file`, with the other settings at
 * their defaults (NULL if that fails, with a failed check). */
const oxtls_config *config_trusting(const char *ca_file);

/* A growable byte buffer. */
struct buffer {
    uint8_t *data;
    size_t len, cap;
};
void buffer_append(struct buffer *b, const uint8_t *data, size_t len);
bool buffer_contains(const struct buffer *b, const char *needle);
void buffer_free(struct buffer *b);

/* One round of blocking TLS I/O over fd: write everything queued, then
 * read once (if wanted) and process. */
oxtls_result exchange(oxtls_conn *conn, int fd);
/* Writes everything queued (blocking). */
oxtls_result flush_tls(oxtls_conn *conn, int fd);
/* Exchanges until the handshake is done or fails. On failure the alert
 * is flushed. */
oxtls_result handshake(oxtls_conn *conn, int fd);
/* Sends GET path and reads the whole response (headers and body) into
 * `response` until the server closes. OXTLS_OK means close_notify. */
oxtls_result http_get(oxtls_conn *conn, int fd, const char *path, struct buffer *response);

/* Connects to 127.0.0.1:port as `server_name` with `config` and GETs
 * `path`; returns what http_get returned (or the first failure). If
 * `keep` is not NULL the connection is stored there (the caller frees
 * it); the socket is always closed. */
oxtls_result fetch(const oxtls_config *config, const char *server_name, int port,
                   const char *path, struct buffer *response, oxtls_conn **keep);

#endif
