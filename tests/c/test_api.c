/*
 * The API without a network: versions, result codes, names, and every
 * function given NULL handles and NULL or bad arguments.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <stdio.h>
#include <string.h>

static void version_matches_header(void)
{
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", OXTLS_VERSION_MAJOR, OXTLS_VERSION_MINOR,
             OXTLS_VERSION_PATCH);
    CHECK(strcmp(oxtls_version(), expected) == 0);
    CHECK(oxtls_version_number() == OXTLS_VERSION_NUMBER);
    CHECK(OXTLS_VERSION_NUMBER ==
          OXTLS_VERSION_MAJOR * 1000000 + OXTLS_VERSION_MINOR * 1000 + OXTLS_VERSION_PATCH);
}

static void result_messages_and_classes(void)
{
    const oxtls_result codes[] = {
        OXTLS_OK, OXTLS_WOULD_BLOCK, OXTLS_PLAINTEXT_EMPTY, OXTLS_ERR_NULL_PARAMETER,
        OXTLS_ERR_IO, OXTLS_ERR_UNEXPECTED_EOF, OXTLS_ERR_INVALID_MESSAGE,
        OXTLS_ERR_CERT_UNKNOWN_ISSUER, OXTLS_ERR_ALERT_HANDSHAKE_FAILURE, OXTLS_ERR_PANIC,
        OXTLS_ERR_GENERAL,
    };
    size_t i, j;
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        CHECK(oxtls_result_message(codes[i]) != NULL);
        CHECK(strlen(oxtls_result_message(codes[i])) > 0);
        for (j = 0; j < i; j++)
            CHECK(strcmp(oxtls_result_message(codes[i]), oxtls_result_message(codes[j])) != 0);
    }
    CHECK(strcmp(oxtls_result_message(123456), "unknown result code") == 0);
    CHECK(strstr(oxtls_result_message(OXTLS_ERR_ALERT_BASE + 40), "handshake_failure") != NULL);
    CHECK(strstr(oxtls_result_message(OXTLS_ERR_ALERT_BASE + 254), "unknown kind") != NULL);

    CHECK(oxtls_result_is_cert_error(OXTLS_ERR_CERT_NOT_VALID_FOR_NAME));
    CHECK(oxtls_result_is_cert_error(OXTLS_ERR_CERT_OTHER));
    CHECK(!oxtls_result_is_cert_error(OXTLS_ERR_ALERT_BAD_CERTIFICATE));
    CHECK(oxtls_result_is_alert(OXTLS_ERR_ALERT_CLOSE_NOTIFY));
    CHECK(oxtls_result_is_alert(OXTLS_ERR_ALERT_LAST));
    CHECK(!oxtls_result_is_alert(OXTLS_ERR_PANIC));
    CHECK(oxtls_result_alert(OXTLS_ERR_ALERT_NO_APPLICATION_PROTOCOL) == 120);
    CHECK(oxtls_result_alert(OXTLS_ERR_ALERT_BASE) == 0);
    CHECK(oxtls_result_alert(OXTLS_ERR_IO) == -1);
    CHECK(oxtls_result_is_protocol_error(OXTLS_ERR_NO_COMMON_VERSION));
    CHECK(!oxtls_result_is_protocol_error(OXTLS_ERR_IO));
    CHECK(oxtls_result_is_io_error(OXTLS_ERR_BUFFER_FULL));
    CHECK(!oxtls_result_is_io_error(OXTLS_WOULD_BLOCK));
    CHECK(oxtls_result_is_misuse(OXTLS_ERR_INVALID_SERVER_NAME));
    CHECK(!oxtls_result_is_misuse(OXTLS_OK));
}

static void names_of_suites_and_versions(void)
{
    CHECK(strcmp(oxtls_cipher_suite_name(0x1301), "TLS_AES_128_GCM_SHA256") == 0);
    CHECK(strcmp(oxtls_cipher_suite_name(0x1303), "TLS_CHACHA20_POLY1305_SHA256") == 0);
    CHECK(strcmp(oxtls_cipher_suite_name(0xc02b), "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256") ==
          0);
    CHECK(oxtls_cipher_suite_name(0x0005) == NULL);
    CHECK(oxtls_cipher_suite_name(0) == NULL);
    CHECK(strcmp(oxtls_protocol_version_name(0x0304), "TLSv1.3") == 0);
    CHECK(strcmp(oxtls_protocol_version_name(0x0303), "TLSv1.2") == 0);
    CHECK(oxtls_protocol_version_name(0x0301) == NULL);
}

/* Every function that takes a handle, given NULL. */
static void null_handles(void)
{
    const uint16_t ids[] = {0x1301};
    const char *alpn[] = {"h2"};
    const oxtls_config *config = (const oxtls_config *)1; /* must be overwritten */
    oxtls_conn *conn = (oxtls_conn *)1;
    const uint8_t *bytes = (const uint8_t *)1;
    uint8_t buf[16];
    char text[16];
    size_t n = 99;

    oxtls_config_builder_free(NULL);
    oxtls_config_free(NULL);
    oxtls_conn_free(NULL);

    CHECK_RESULT(oxtls_config_builder_set_protocol_versions(NULL, ids, 1), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_cipher_suites(NULL, ids, 1), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_groups(NULL, ids, 1), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_alpn_protocols(NULL, alpn, 1), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_enable_sni(NULL, true), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_max_fragment_size(NULL, 0), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_dangerous_disable_verification(NULL),
                 OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_verify_callback(NULL, NULL, NULL),
                 OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_log_callback(NULL, NULL, NULL),
                 OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_keylog_callback(NULL, NULL, NULL),
                 OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_keylog_file(NULL), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_load_roots_file(NULL, "x"), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_load_system_roots(NULL), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_add_roots_pem(NULL, buf, 1), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_add_root_der(NULL, buf, 1), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_build(NULL, &config), OXTLS_ERR_NULL_PARAMETER);
    CHECK(config == NULL);

    CHECK_RESULT(oxtls_conn_new(NULL, "localhost", &conn), OXTLS_ERR_NULL_PARAMETER);
    CHECK(conn == NULL);
    CHECK_RESULT(oxtls_conn_process_new_packets(NULL), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_read(NULL, buf, sizeof buf, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK(n == 0);
    CHECK_RESULT(oxtls_conn_write(NULL, buf, sizeof buf, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_read_tls(NULL, NULL, NULL, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_write_tls(NULL, NULL, NULL, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_read_tls_fd(NULL, 0, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_write_tls_fd(NULL, 1, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_send_close_notify(NULL), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_set_buffer_limit(NULL, 100), OXTLS_ERR_NULL_PARAMETER);
    n = 99;
    CHECK_RESULT(oxtls_conn_alpn_protocol(NULL, &bytes, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK(bytes == NULL && n == 0);
    bytes = (const uint8_t *)1;
    CHECK_RESULT(oxtls_conn_peer_certificate(NULL, 0, &bytes, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK(bytes == NULL);
    CHECK_RESULT(oxtls_conn_export_keying_material(NULL, buf, sizeof buf, buf, 1, NULL, 0),
                 OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_last_error(NULL, text, sizeof text, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK(!oxtls_conn_wants_read(NULL));
    CHECK(!oxtls_conn_wants_write(NULL));
    CHECK(oxtls_conn_plaintext_bytes_to_read(NULL) == 0);
    CHECK(!oxtls_conn_is_handshaking(NULL));
    CHECK(oxtls_conn_protocol_version(NULL) == 0);
    CHECK(oxtls_conn_cipher_suite(NULL) == 0);
    CHECK(oxtls_conn_negotiated_group(NULL) == 0);
    CHECK(oxtls_conn_last_errno(NULL) == 0);
}

/* NULL where a builder call needs a pointer: refused, builder unchanged. */
static void null_builder_arguments(void)
{
    const char *with_null[] = {"h2", NULL};
    const oxtls_config *config = NULL;
    oxtls_config_builder *b = oxtls_config_builder_new();
    CHECK(b != NULL);
    CHECK_RESULT(oxtls_config_builder_set_protocol_versions(b, NULL, 1), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_cipher_suites(b, NULL, 2), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_groups(b, NULL, 1), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_alpn_protocols(b, NULL, 1), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_alpn_protocols(b, with_null, 2),
                 OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, NULL), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_add_roots_pem(b, NULL, 10), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_add_root_der(b, NULL, 10), OXTLS_ERR_NULL_PARAMETER);
    /* NULL with a zero length is an empty input, not a NULL pointer. */
    CHECK_RESULT(oxtls_config_builder_add_roots_pem(b, NULL, 0), OXTLS_ERR_BAD_PEM);
    CHECK_RESULT(oxtls_config_builder_add_root_der(b, NULL, 0), OXTLS_ERR_INVALID_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_alpn_protocols(b, NULL, 0), OXTLS_OK);
    /* A NULL out consumes the builder all the same (valgrind checks). */
    CHECK_RESULT(oxtls_config_builder_build(b, NULL), OXTLS_ERR_NULL_PARAMETER);
    (void)config;
}

/* Values the builder refuses; each leaves it usable. */
static void invalid_builder_arguments(void)
{
    const uint16_t tls10[] = {0x0301};
    const uint16_t rsa_kx_suite[] = {0x1301, 0x002f};
    const uint16_t secp521r1[] = {0x0019};
    const uint16_t both_versions[] = {0x0304, 0x0303, 0x0304};
    const char *empty[] = {""};
    char long_name[300];
    const char *too_long[1];
    oxtls_config_builder *b = oxtls_config_builder_new();

    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    too_long[0] = long_name;

    CHECK_RESULT(oxtls_config_builder_set_protocol_versions(b, tls10, 1),
                 OXTLS_ERR_UNSUPPORTED_PROTOCOL_VERSION);
    CHECK_RESULT(oxtls_config_builder_set_protocol_versions(b, both_versions, 0),
                 OXTLS_ERR_INVALID_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_protocol_versions(b, both_versions, 3), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_cipher_suites(b, rsa_kx_suite, 2),
                 OXTLS_ERR_UNSUPPORTED_CIPHER_SUITE);
    CHECK_RESULT(oxtls_config_builder_set_cipher_suites(b, rsa_kx_suite, 0),
                 OXTLS_ERR_INVALID_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_groups(b, secp521r1, 1), OXTLS_ERR_UNSUPPORTED_GROUP);
    CHECK_RESULT(oxtls_config_builder_set_groups(b, secp521r1, 0), OXTLS_ERR_INVALID_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_alpn_protocols(b, empty, 1), OXTLS_ERR_INVALID_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_alpn_protocols(b, too_long, 1),
                 OXTLS_ERR_INVALID_PARAMETER);
    long_name[255] = '\0';
    CHECK_RESULT(oxtls_config_builder_set_alpn_protocols(b, too_long, 1), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_max_fragment_size(b, 31), OXTLS_ERR_INVALID_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_max_fragment_size(b, 16390), OXTLS_ERR_INVALID_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_max_fragment_size(b, 32), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_max_fragment_size(b, 0), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_enable_sni(b, false), OXTLS_OK);
    oxtls_config_builder_free(b);
}

static void bad_server_names(void)
{
    const oxtls_config *config = NULL;
    oxtls_conn *conn = (oxtls_conn *)1;
    oxtls_config_builder *b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_dangerous_disable_verification(b), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);

    CHECK_RESULT(oxtls_conn_new(config, "not a host name", &conn), OXTLS_ERR_INVALID_SERVER_NAME);
    CHECK(conn == NULL);
    CHECK_RESULT(oxtls_conn_new(config, "", &conn), OXTLS_ERR_INVALID_SERVER_NAME);
    CHECK_RESULT(oxtls_conn_new(config, "\xff\xfe", &conn), OXTLS_ERR_INVALID_PARAMETER);
    CHECK_RESULT(oxtls_conn_new(config, NULL, &conn), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_new(config, "localhost", NULL), OXTLS_ERR_NULL_PARAMETER);

    /* DNS names and address literals of both families are fine. */
    CHECK_RESULT(oxtls_conn_new(config, "example.com", &conn), OXTLS_OK);
    oxtls_conn_free(conn);
    CHECK_RESULT(oxtls_conn_new(config, "192.0.2.1", &conn), OXTLS_OK);
    oxtls_conn_free(conn);
    CHECK_RESULT(oxtls_conn_new(config, "2001:db8::1", &conn), OXTLS_OK);
    oxtls_conn_free(conn);
    oxtls_config_free(config);
}

/* A fresh connection: a ClientHello queued, nothing negotiated yet, and
 * the calls that need a handshake refuse politely. */
static void fresh_connection_state(void)
{
    const oxtls_config *config = NULL;
    oxtls_conn *conn = NULL;
    const uint8_t *bytes = (const uint8_t *)1;
    uint8_t buf[32];
    char text[64];
    size_t n = 99;
    oxtls_config_builder *b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_dangerous_disable_verification(b), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_new(config, "localhost", &conn), OXTLS_OK);
    oxtls_config_free(config);

    CHECK(oxtls_conn_is_handshaking(conn));
    CHECK(oxtls_conn_wants_write(conn));
    CHECK(oxtls_conn_protocol_version(conn) == 0);
    CHECK(oxtls_conn_cipher_suite(conn) == 0);
    CHECK(oxtls_conn_negotiated_group(conn) == 0);
    CHECK_RESULT(oxtls_conn_alpn_protocol(conn, &bytes, &n), OXTLS_OK);
    CHECK(bytes == NULL && n == 0);
    CHECK_RESULT(oxtls_conn_alpn_protocol(conn, NULL, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_peer_certificate(conn, 0, &bytes, &n), OXTLS_ERR_OUT_OF_RANGE);
    CHECK_RESULT(oxtls_conn_peer_certificate(conn, 0, NULL, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_read(conn, buf, sizeof buf, &n), OXTLS_PLAINTEXT_EMPTY);
    CHECK_RESULT(oxtls_conn_read(conn, buf, 0, &n), OXTLS_ERR_BUFFER_TOO_SMALL);
    CHECK_RESULT(oxtls_conn_read(conn, NULL, 10, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_read(conn, buf, sizeof buf, NULL), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_write(conn, NULL, 10, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_write(conn, buf, 0, &n), OXTLS_OK);
    CHECK(n == 0);
    CHECK_RESULT(oxtls_conn_export_keying_material(conn, buf, sizeof buf, buf, 4, NULL, 0),
                 OXTLS_ERR_HANDSHAKE_NOT_COMPLETE);
    CHECK_RESULT(oxtls_conn_export_keying_material(conn, buf, 0, buf, 4, NULL, 0),
                 OXTLS_ERR_INVALID_PARAMETER);
    CHECK_RESULT(oxtls_conn_read_tls(conn, NULL, NULL, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_write_tls(conn, NULL, NULL, &n), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_read_tls_fd(conn, 0, NULL), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_write_tls_fd(conn, 1, NULL), OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_conn_last_error(conn, text, sizeof text, NULL), OXTLS_ERR_NULL_PARAMETER);
    /* None of these were fatal: the handshake can still start. */
    CHECK(oxtls_conn_wants_write(conn));
    CHECK(oxtls_conn_last_errno(conn) == 0);
    oxtls_conn_free(conn);
}

const struct test api_tests[] = {
    {"version_matches_header", version_matches_header},
    {"result_messages_and_classes", result_messages_and_classes},
    {"names_of_suites_and_versions", names_of_suites_and_versions},
    {"null_handles", null_handles},
    {"null_builder_arguments", null_builder_arguments},
    {"invalid_builder_arguments", invalid_builder_arguments},
    {"bad_server_names", bad_server_names},
    {"fresh_connection_state", fresh_connection_state},
    {NULL, NULL},
};
