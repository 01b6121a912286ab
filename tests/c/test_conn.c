/*
 * Connections to the rustls test server: what a good handshake gives,
 * and each way verification and negotiation fail, including the calls
 * made after a fatal error.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void get_page_and_what_was_negotiated(void)
{
    const oxtls_config *config = config_trusting(pki_path("ca.pem"));
    oxtls_conn *conn = NULL;
    struct buffer page = {0};
    const uint8_t *der = NULL, *alpn = (const uint8_t *)1;
    size_t der_len = 0, alpn_len = 9;
    char text[64];
    size_t n = 99;

    CHECK_RESULT(fetch(config, "localhost", server_port(), "/", &page, &conn), OXTLS_OK);
    CHECK(buffer_contains(&page, "HTTP/1.0 200 OK"));
    CHECK(buffer_contains(&page, "Hello from the oxtls test server"));
    CHECK(!oxtls_conn_is_handshaking(conn));
    CHECK(oxtls_conn_protocol_version(conn) == 0x0304);
    CHECK(oxtls_cipher_suite_name(oxtls_conn_cipher_suite(conn)) != NULL);
    CHECK_RESULT(oxtls_conn_alpn_protocol(conn, &alpn, &alpn_len), OXTLS_OK);
    CHECK(alpn == NULL && alpn_len == 0);
    /* The chain as sent: leaf, then intermediate; nothing after. */
    CHECK_RESULT(oxtls_conn_peer_certificate(conn, 0, &der, &der_len), OXTLS_OK);
    CHECK(der != NULL && der_len > 100 && der[0] == 0x30);
    CHECK_RESULT(oxtls_conn_peer_certificate(conn, 1, &der, &der_len), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_peer_certificate(conn, 2, &der, &der_len), OXTLS_ERR_OUT_OF_RANGE);
    CHECK(der == NULL && der_len == 0);
    /* No call failed, so there is no error message. */
    CHECK_RESULT(oxtls_conn_last_error(conn, text, sizeof text, &n), OXTLS_OK);
    CHECK(n == 0 && text[0] == '\0');

    oxtls_conn_free(conn);
    oxtls_config_free(config);
    buffer_free(&page);
}

/* What oxtls_conn_plaintext_bytes_to_read() counts: decrypted bytes that
 * oxtls_conn_read() returns without touching the socket. */
static void plaintext_waiting_to_be_read(void)
{
    const oxtls_config *config = config_trusting(pki_path("ca.pem"));
    oxtls_conn *conn = NULL;
    const char *request = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
    uint8_t buf[10];
    size_t n = 0;
    int fd = tcp_connect(server_port());
    CHECK_RESULT(oxtls_conn_new(config, "localhost", &conn), OXTLS_OK);
    CHECK(oxtls_conn_plaintext_bytes_to_read(conn) == 0);
    CHECK_RESULT(handshake(conn, fd), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_write(conn, (const uint8_t *)request, strlen(request), &n), OXTLS_OK);
    CHECK_RESULT(flush_tls(conn, fd), OXTLS_OK);
    for (int i = 0; i < 100 && oxtls_conn_plaintext_bytes_to_read(conn) == 0; i++) {
        if (oxtls_conn_read_tls_fd(conn, fd, &n) != OXTLS_OK || n == 0)
            break;
        CHECK_RESULT(oxtls_conn_process_new_packets(conn), OXTLS_OK);
    }
    size_t pending = oxtls_conn_plaintext_bytes_to_read(conn);
    CHECK(pending > sizeof buf);
    CHECK_RESULT(oxtls_conn_read(conn, buf, sizeof buf, &n), OXTLS_OK);
    CHECK(n == sizeof buf && memcmp(buf, "HTTP/1.0 2", n) == 0);
    CHECK(oxtls_conn_plaintext_bytes_to_read(conn) == pending - sizeof buf);
    oxtls_conn_free(conn);
    oxtls_config_free(config);
    close(fd);
}

static void alpn_is_negotiated(void)
{
    const char *protocols[] = {"h2", "http/1.1"};
    const oxtls_config *config = NULL;
    oxtls_conn *conn = NULL;
    struct buffer page = {0};
    const uint8_t *alpn = NULL;
    size_t alpn_len = 0;
    oxtls_config_builder *b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_alpn_protocols(b, protocols, 2), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);

    CHECK_RESULT(fetch(config, "localhost", server_port(), "/", &page, &conn), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_alpn_protocol(conn, &alpn, &alpn_len), OXTLS_OK);
    CHECK(alpn_len == 8 && memcmp(alpn, "http/1.1", 8) == 0);
    /* A missing out-pointer is refused before anything is written: the
     * other output is cleared, never left holding the protocol. */
    CHECK_RESULT(oxtls_conn_alpn_protocol(conn, &alpn, NULL), OXTLS_ERR_NULL_PARAMETER);
    CHECK(alpn == NULL);
    CHECK_RESULT(oxtls_conn_alpn_protocol(conn, NULL, &alpn_len), OXTLS_ERR_NULL_PARAMETER);
    CHECK(alpn_len == 0);

    oxtls_conn_free(conn);
    oxtls_config_free(config);
    buffer_free(&page);
}

/* The server speaks only http/1.1 and refuses a client offering only h2
 * with the no_application_protocol alert. */
static void alert_from_the_server(void)
{
    const char *protocols[] = {"h2"};
    const oxtls_config *config = NULL;
    struct buffer page = {0};
    oxtls_result r;
    oxtls_config_builder *b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_alpn_protocols(b, protocols, 1), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);

    r = fetch(config, "localhost", server_port(), "/", &page, NULL);
    CHECK_RESULT(r, OXTLS_ERR_ALERT_NO_APPLICATION_PROTOCOL);
    CHECK(oxtls_result_is_alert(r));
    CHECK(oxtls_result_alert(r) == 120);
    CHECK(page.len == 0);

    oxtls_config_free(config);
    buffer_free(&page);
}

/* An unknown issuer ends the connection; every later call says so again,
 * except write_tls, which still sends the alert. */
static void unknown_issuer_and_calls_after_a_fatal_error(void)
{
    const oxtls_config *config = config_trusting(pki_path("other-ca.pem"));
    oxtls_conn *conn = NULL;
    uint8_t buf[64];
    char message[256], small[8];
    size_t n = 0;
    int fd = tcp_connect(server_port());
    CHECK(fd >= 0);
    CHECK_RESULT(oxtls_conn_new(config, "localhost", &conn), OXTLS_OK);
    oxtls_config_free(config);

    CHECK_RESULT(handshake(conn, fd), OXTLS_ERR_CERT_UNKNOWN_ISSUER);
    CHECK(oxtls_result_is_cert_error(OXTLS_ERR_CERT_UNKNOWN_ISSUER));
    CHECK_RESULT(oxtls_conn_last_error(conn, message, sizeof message, &n), OXTLS_OK);
    CHECK(n == strlen(message) && strstr(message, "trusted root") != NULL);

    CHECK_RESULT(oxtls_conn_process_new_packets(conn), OXTLS_ERR_CERT_UNKNOWN_ISSUER);
    CHECK_RESULT(oxtls_conn_read(conn, buf, sizeof buf, &n), OXTLS_ERR_CERT_UNKNOWN_ISSUER);
    CHECK_RESULT(oxtls_conn_write(conn, buf, sizeof buf, &n), OXTLS_ERR_CERT_UNKNOWN_ISSUER);
    CHECK_RESULT(oxtls_conn_read_tls_fd(conn, fd, &n), OXTLS_ERR_CERT_UNKNOWN_ISSUER);
    CHECK_RESULT(oxtls_conn_send_close_notify(conn), OXTLS_ERR_CERT_UNKNOWN_ISSUER);
    CHECK_RESULT(oxtls_conn_export_keying_material(conn, buf, 16, buf, 1, NULL, 0),
                 OXTLS_ERR_CERT_UNKNOWN_ISSUER);
    CHECK(!oxtls_conn_wants_read(conn));
    CHECK(!oxtls_conn_wants_write(conn)); /* the alert has gone out */
    CHECK_RESULT(oxtls_conn_write_tls_fd(conn, fd, &n), OXTLS_OK);
    CHECK(n == 0);

    /* The message, cut to fit a small buffer, still NUL-terminated; n is
     * the whole message's length, as snprintf's, so a caller can retry
     * with n + 1 bytes. */
    CHECK_RESULT(oxtls_conn_last_error(conn, small, sizeof small, &n),
                 OXTLS_ERR_BUFFER_TOO_SMALL);
    CHECK(n == strlen(message) && strlen(small) == 7 && strncmp(small, message, 7) == 0);
    n = 0;
    CHECK_RESULT(oxtls_conn_last_error(conn, small, 0, &n), OXTLS_ERR_BUFFER_TOO_SMALL);
    CHECK(n == strlen(message));
    n = 0;
    CHECK_RESULT(oxtls_conn_last_error(conn, NULL, 0, &n), OXTLS_ERR_BUFFER_TOO_SMALL);
    CHECK(n == strlen(message));

    close(fd);
    oxtls_conn_free(conn);
}

static void wrong_server_name(void)
{
    const oxtls_config *config = config_trusting(pki_path("ca.pem"));
    struct buffer page = {0};
    CHECK_RESULT(fetch(config, "wrong.example", server_port(), "/", &page, NULL),
                 OXTLS_ERR_CERT_NOT_VALID_FOR_NAME);
    CHECK_RESULT(fetch(config, "127.0.0.2", server_port(), "/", &page, NULL),
                 OXTLS_ERR_CERT_NOT_VALID_FOR_NAME);
    /* The certificate is valid for the address itself. */
    CHECK_RESULT(fetch(config, "127.0.0.1", server_port(), "/", &page, NULL), OXTLS_OK);
    oxtls_config_free(config);
    buffer_free(&page);
}

/* The connection holds its own reference: the config may go first. */
static void config_freed_before_its_connections(void)
{
    const oxtls_config *config = config_trusting(pki_path("ca.pem"));
    oxtls_conn *first = NULL, *second = NULL;
    struct buffer page = {0};
    int fd;
    CHECK_RESULT(oxtls_conn_new(config, "localhost", &first), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_new(config, "localhost", &second), OXTLS_OK);
    oxtls_config_free(config);

    fd = tcp_connect(server_port());
    CHECK_RESULT(http_get(first, fd, "/", &page), OXTLS_OK);
    close(fd);
    oxtls_conn_free(first);
    CHECK(buffer_contains(&page, "oxtls test server"));

    page.len = 0;
    fd = tcp_connect(server_port());
    CHECK_RESULT(http_get(second, fd, "/", &page), OXTLS_OK);
    close(fd);
    oxtls_conn_free(second);
    CHECK(buffer_contains(&page, "oxtls test server"));
    buffer_free(&page);
}

static void exported_keying_material(void)
{
    const oxtls_config *config = config_trusting(pki_path("ca.pem"));
    oxtls_conn *conn = NULL;
    struct buffer page = {0};
    uint8_t none[32], empty[32], again[32], other_label[32];
    const uint8_t label[] = "EXPERIMENTAL test";
    const uint8_t context[] = "ctx";
    CHECK_RESULT(fetch(config, "localhost", server_port(), "/", &page, &conn), OXTLS_OK);

    CHECK_RESULT(oxtls_conn_export_keying_material(conn, none, 32, label, 17, NULL, 0), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_export_keying_material(conn, empty, 32, label, 17, context, 0),
                 OXTLS_OK);
    CHECK_RESULT(oxtls_conn_export_keying_material(conn, again, 32, label, 17, NULL, 0), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_export_keying_material(conn, other_label, 32, label, 16, NULL, 0),
                 OXTLS_OK);
    CHECK(memcmp(none, again, 32) == 0);
    CHECK(memcmp(none, other_label, 32) != 0);
    /* RFC 8446 §7.5: in TLS 1.3 no context is the same as an empty one
     * (RFC 5705 exporters in TLS 1.2 tell them apart); a context that is
     * not empty differs from both. */
    CHECK(memcmp(none, empty, 32) == 0);
    CHECK_RESULT(oxtls_conn_export_keying_material(conn, empty, 32, label, 17, context, 3),
                 OXTLS_OK);
    CHECK(memcmp(none, empty, 32) != 0);
    CHECK_RESULT(oxtls_conn_export_keying_material(conn, none, 32, NULL, 5, NULL, 0),
                 OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_export_keying_material(conn, NULL, 32, label, 5, NULL, 0),
                 OXTLS_ERR_NULL_PARAMETER);

    oxtls_conn_free(conn);
    oxtls_config_free(config);
    buffer_free(&page);
}

struct verify_record {
    int calls;
    size_t chain_len;
    oxtls_result verdict;
    char server_name[64];
    bool first_is_der;
    oxtls_result answer;
};

static oxtls_result record_verification(void *userdata, const char *server_name,
                                        const oxtls_bytes *chain, size_t chain_len,
                                        oxtls_result verdict)
{
    struct verify_record *rec = userdata;
    rec->calls++;
    rec->chain_len = chain_len;
    rec->verdict = verdict;
    snprintf(rec->server_name, sizeof rec->server_name, "%s", server_name);
    rec->first_is_der = chain_len > 0 && chain[0].len > 0 && chain[0].data[0] == 0x30;
    return rec->answer;
}

static oxtls_result fetch_with_callback(const char *ca, bool verify, struct verify_record *rec,
                                        const char *name)
{
    const oxtls_config *config = NULL;
    struct buffer page = {0};
    oxtls_result r;
    oxtls_config_builder *b = oxtls_config_builder_new();
    if (verify)
        CHECK_RESULT(oxtls_config_builder_load_roots_file(b, ca), OXTLS_OK);
    else
        CHECK_RESULT(oxtls_config_builder_dangerous_disable_verification(b), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_verify_callback(b, record_verification, rec), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    r = fetch(config, name, server_port(), "/", &page, NULL);
    oxtls_config_free(config);
    buffer_free(&page);
    return r;
}

/* The callback sees the chain and the verdict, may refuse a good chain,
 * and cannot rescue a bad one. */
static void verify_callback(void)
{
    struct verify_record rec;

    memset(&rec, 0, sizeof rec);
    rec.answer = OXTLS_OK;
    CHECK_RESULT(fetch_with_callback(pki_path("ca.pem"), true, &rec, "localhost"), OXTLS_OK);
    CHECK(rec.calls == 1 && rec.chain_len == 2 && rec.verdict == OXTLS_OK && rec.first_is_der);
    CHECK(strcmp(rec.server_name, "localhost") == 0);

    memset(&rec, 0, sizeof rec);
    rec.answer = OXTLS_ERR_GENERAL; /* pinning failed, say */
    CHECK_RESULT(fetch_with_callback(pki_path("ca.pem"), true, &rec, "127.0.0.1"),
                 OXTLS_ERR_CERT_APPLICATION_VERIFICATION_FAILURE);
    CHECK(rec.calls == 1 && strcmp(rec.server_name, "127.0.0.1") == 0);

    memset(&rec, 0, sizeof rec);
    rec.answer = OXTLS_OK; /* cannot turn a failure into a success */
    CHECK_RESULT(fetch_with_callback(pki_path("other-ca.pem"), true, &rec, "localhost"),
                 OXTLS_ERR_CERT_UNKNOWN_ISSUER);
    CHECK(rec.calls == 1 && rec.verdict == OXTLS_ERR_CERT_UNKNOWN_ISSUER);

    memset(&rec, 0, sizeof rec);
    rec.answer = OXTLS_OK; /* verification off: the verdict is OK */
    CHECK_RESULT(fetch_with_callback(NULL, false, &rec, "wrong.example"), OXTLS_OK);
    CHECK(rec.calls == 1 && rec.verdict == OXTLS_OK && rec.chain_len == 2);
}

struct log_record {
    int messages;
    int bad;
    oxtls_log_level worst;
};

static void record_log(void *userdata, oxtls_log_level level, const char *message,
                       size_t message_len)
{
    struct log_record *rec = userdata;
    rec->messages++;
    if (strlen(message) != message_len || level < OXTLS_LOG_ERROR || level > OXTLS_LOG_DEBUG)
        rec->bad++;
    if (level < rec->worst)
        rec->worst = level;
}

static void log_callback(void)
{
    struct log_record rec = {0, 0, OXTLS_LOG_DEBUG + 1};
    const oxtls_config *config = NULL;
    struct buffer page = {0};
    oxtls_config_builder *b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("other-ca.pem")), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_log_callback(b, record_log, &rec), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    /* A failure is logged as an error. */
    CHECK_RESULT(fetch(config, "localhost", server_port(), "/", &page, NULL),
                 OXTLS_ERR_CERT_UNKNOWN_ISSUER);
    CHECK(rec.messages > 0 && rec.bad == 0);
    CHECK(rec.worst == OXTLS_LOG_ERROR);
    oxtls_config_free(config);

    /* A NULL callback removes it. */
    rec.messages = 0;
    b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("other-ca.pem")), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_log_callback(b, record_log, &rec), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_log_callback(b, NULL, NULL), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    CHECK_RESULT(fetch(config, "localhost", server_port(), "/", &page, NULL),
                 OXTLS_ERR_CERT_UNKNOWN_ISSUER);
    CHECK(rec.messages == 0);
    oxtls_config_free(config);
    buffer_free(&page);
}

struct keylog_record {
    int lines;
    int bad;
    bool saw_client_handshake;
    bool saw_exporter;
};

static void record_keylog(void *userdata, const char *label, const uint8_t *client_random,
                          size_t client_random_len, const uint8_t *secret, size_t secret_len)
{
    struct keylog_record *rec = userdata;
    rec->lines++;
    if (client_random == NULL || client_random_len != 32 || secret == NULL ||
        (secret_len != 32 && secret_len != 48))
        rec->bad++;
    if (strcmp(label, "CLIENT_HANDSHAKE_TRAFFIC_SECRET") == 0)
        rec->saw_client_handshake = true;
    if (strcmp(label, "EXPORTER_SECRET") == 0)
        rec->saw_exporter = true;
}

/* The key log: five secrets per TLS 1.3 connection, by callback or into the
 * file SSLKEYLOGFILE names. */
static void keylog(void)
{
    struct keylog_record rec = {0, 0, false, false};
    const oxtls_config *config = NULL;
    struct buffer page = {0};
    oxtls_config_builder *b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_keylog_callback(b, record_keylog, &rec), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    CHECK_RESULT(fetch(config, "localhost", server_port(), "/", &page, NULL), OXTLS_OK);
    CHECK(rec.lines == 5 && rec.bad == 0);
    CHECK(rec.saw_client_handshake && rec.saw_exporter);
    oxtls_config_free(config);

    char path[256];
    snprintf(path, sizeof path, "%s.keylog", pki_path("ca.pem"));
    remove(path);
    CHECK(setenv("SSLKEYLOGFILE", path, 1) == 0);
    b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_keylog_file(b), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    unsetenv("SSLKEYLOGFILE");
    CHECK_RESULT(fetch(config, "localhost", server_port(), "/", &page, NULL), OXTLS_OK);
    oxtls_config_free(config);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f) {
        char line[512];
        int lines = 0;
        while (fgets(line, sizeof line, f))
            lines++;
        fclose(f);
        CHECK(lines == 5);
    }
    /* The log decrypts the connection: created for its owner only. */
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    remove(path);
    buffer_free(&page);

    /* A file that cannot be opened is an error that says so, not a
     * silently empty log. */
    CHECK(setenv("SSLKEYLOGFILE", "/", 1) == 0);
    b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_set_keylog_file(b), OXTLS_ERR_IO);
    unsetenv("SSLKEYLOGFILE");
    oxtls_config_builder_free(b);
}

/* A TLS 1.2-only client: the rustls server, which speaks both, completes
 * a TLS 1.2 handshake; with both enabled it prefers TLS 1.3. */
static void tls12_only_client(void)
{
    const uint16_t tls12[] = {0x0303};
    const uint16_t both[] = {0x0303, 0x0304};
    const oxtls_config *config = NULL;
    struct buffer page = {0};
    oxtls_conn *conn = NULL;
    oxtls_config_builder *b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_protocol_versions(b, tls12, 1), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    CHECK_RESULT(fetch(config, "localhost", server_port(), "/", &page, &conn), OXTLS_OK);
    CHECK(oxtls_conn_protocol_version(conn) == 0x0303);
    CHECK(buffer_contains(&page, "oxtls test server"));
    oxtls_conn_free(conn);
    oxtls_config_free(config);
    buffer_free(&page);

    /* Both enabled: rustls prefers TLS 1.3. */
    b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_protocol_versions(b, both, 2), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    CHECK_RESULT(fetch(config, "localhost", server_port(), "/", &page, &conn), OXTLS_OK);
    CHECK(oxtls_conn_protocol_version(conn) == 0x0304);
    oxtls_conn_free(conn);
    oxtls_config_free(config);
    buffer_free(&page);
}

/* Keys handed out for kernel TLS: only when the config allows it, only
 * once the handshake is done, and the connection is spent afterwards. */
static void dangerous_extract_secrets(void)
{
    const uint16_t versions[2][1] = {{0x0304}, {0x0303}};
    struct oxtls_traffic_keys tx, rx;
    size_t i, n;
    int fd;
    for (i = 0; i < 2; i++) {
        const oxtls_config *config = NULL;
        oxtls_conn *conn = NULL;
        uint16_t suite;
        size_t want_key;
        oxtls_config_builder *b = oxtls_config_builder_new();
        CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
        CHECK_RESULT(oxtls_config_builder_set_protocol_versions(b, versions[i], 1), OXTLS_OK);
        CHECK_RESULT(oxtls_config_builder_set_enable_secret_extraction(b, true), OXTLS_OK);
        CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
        CHECK_RESULT(oxtls_conn_new(config, "localhost", &conn), OXTLS_OK);
        /* Not before the handshake. */
        CHECK_RESULT(oxtls_conn_dangerous_extract_secrets(conn, &tx, &rx),
                     OXTLS_ERR_HANDSHAKE_NOT_COMPLETE);
        fd = tcp_connect(server_port());
        CHECK_RESULT(handshake(conn, fd), OXTLS_OK);
        CHECK_RESULT(oxtls_conn_dangerous_extract_secrets(conn, NULL, &rx),
                     OXTLS_ERR_NULL_PARAMETER);
        CHECK_RESULT(oxtls_conn_dangerous_extract_secrets(conn, &tx, &rx), OXTLS_OK);
        suite = oxtls_conn_cipher_suite(conn);
        want_key = (suite == 0x1301 || suite == 0xc02b || suite == 0xc02f) ? 16 : 32;
        CHECK(tx.key_len == want_key && rx.key_len == want_key);
        CHECK(memcmp(tx.key, rx.key, tx.key_len) != 0);
        /* Our Finished went out under the handshake keys in TLS 1.3 and
         * as record 0 of these in TLS 1.2. */
        CHECK(tx.sequence == (versions[i][0] == 0x0303 ? 1 : 0));
        /* The connection is spent. */
        CHECK_RESULT(oxtls_conn_write(conn, (const uint8_t *)"x", 1, &n),
                     OXTLS_ERR_SECRETS_EXTRACTED);
        CHECK_RESULT(oxtls_conn_send_close_notify(conn), OXTLS_ERR_SECRETS_EXTRACTED);
        CHECK_RESULT(oxtls_conn_dangerous_extract_secrets(conn, &tx, &rx),
                     OXTLS_ERR_SECRETS_EXTRACTED);
        /* Nothing more goes out, not even TLS data, and no setting changes. */
        CHECK(!oxtls_conn_wants_write(conn));
        CHECK_RESULT(oxtls_conn_write_tls_fd(conn, fd, &n), OXTLS_ERR_SECRETS_EXTRACTED);
        CHECK(n == 0);
        CHECK_RESULT(oxtls_conn_set_buffer_limit(conn, 0), OXTLS_ERR_SECRETS_EXTRACTED);
        close(fd);
        oxtls_conn_free(conn);
        oxtls_config_free(config);
    }

    /* A config that does not allow it. */
    {
        const oxtls_config *config = config_trusting(pki_path("ca.pem"));
        oxtls_conn *conn = NULL;
        CHECK_RESULT(oxtls_conn_new(config, "localhost", &conn), OXTLS_OK);
        fd = tcp_connect(server_port());
        CHECK_RESULT(handshake(conn, fd), OXTLS_OK);
        CHECK_RESULT(oxtls_conn_dangerous_extract_secrets(conn, &tx, &rx),
                     OXTLS_ERR_INVALID_CONFIG);
        close(fd);
        oxtls_conn_free(conn);
        oxtls_config_free(config);
    }
    CHECK_RESULT(oxtls_conn_dangerous_extract_secrets(NULL, &tx, &rx), OXTLS_ERR_NULL_PARAMETER);
}

/* One config, connections on several threads at once. */
static void *fetch_on_a_thread(void *arg)
{
    struct buffer page = {0};
    oxtls_result r = fetch(arg, "localhost", server_port(), "/", &page, NULL);
    bool ok = r == OXTLS_OK && buffer_contains(&page, "oxtls test server");
    buffer_free(&page);
    return ok ? arg : NULL;
}

static void config_shared_across_threads(void)
{
    const oxtls_config *config = config_trusting(pki_path("ca.pem"));
    pthread_t threads[4];
    void *result;
    int i;
    for (i = 0; i < 4; i++)
        CHECK(pthread_create(&threads[i], NULL, fetch_on_a_thread, (void *)config) == 0);
    for (i = 0; i < 4; i++) {
        CHECK(pthread_join(threads[i], &result) == 0);
        CHECK(result == config);
    }
    oxtls_config_free(config);
}

const struct test conn_tests[] = {
    {"get_page_and_what_was_negotiated", get_page_and_what_was_negotiated},
    {"plaintext_waiting_to_be_read", plaintext_waiting_to_be_read},
    {"alpn_is_negotiated", alpn_is_negotiated},
    {"alert_from_the_server", alert_from_the_server},
    {"unknown_issuer_and_calls_after_a_fatal_error",
     unknown_issuer_and_calls_after_a_fatal_error},
    {"wrong_server_name", wrong_server_name},
    {"config_freed_before_its_connections", config_freed_before_its_connections},
    {"exported_keying_material", exported_keying_material},
    {"verify_callback", verify_callback},
    {"log_callback", log_callback},
    {"keylog", keylog},
    {"tls12_only_client", tls12_only_client},
    {"config_shared_across_threads", config_shared_across_threads},
    {"dangerous_extract_secrets", dangerous_extract_secrets},
    {NULL, NULL},
};
