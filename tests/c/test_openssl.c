/*
 * Against OpenSSL's s_server: `-www` (TLS 1.3, answers GET with a status
 * page) and one limited to TLS 1.2.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <string.h>

static void get_page_from_s_server(void)
{
    const oxtls_config *config = config_trusting(pki_path("ca.pem"));
    oxtls_conn *conn = NULL;
    struct buffer page = {0};
    const uint8_t *der;
    size_t der_len;
    CHECK_RESULT(fetch(config, "localhost", openssl_port(), "/", &page, &conn), OXTLS_OK);
    CHECK(buffer_contains(&page, "HTTP/1.0 200 ok"));
    CHECK(buffer_contains(&page, "s_server"));
    CHECK(oxtls_conn_protocol_version(conn) == 0x0304);
    CHECK_RESULT(oxtls_conn_peer_certificate(conn, 1, &der, &der_len), OXTLS_OK);
    oxtls_conn_free(conn);
    oxtls_config_free(config);
    buffer_free(&page);
}

static void each_suite_with_s_server(void)
{
    const uint16_t suites[] = {0x1301, 0x1302, 0x1303};
    const uint16_t groups[] = {0x001d, 0x0017, 0x0018};
    size_t i;
    for (i = 0; i < 3; i++) {
        const oxtls_config *config = NULL;
        oxtls_conn *conn = NULL;
        struct buffer page = {0};
        oxtls_config_builder *b = oxtls_config_builder_new();
        CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
        CHECK_RESULT(oxtls_config_builder_set_cipher_suites(b, &suites[i], 1), OXTLS_OK);
        CHECK_RESULT(oxtls_config_builder_set_groups(b, &groups[i], 1), OXTLS_OK);
        CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
        CHECK_RESULT(fetch(config, "127.0.0.1", openssl_port(), "/", &page, &conn), OXTLS_OK);
        CHECK(oxtls_conn_cipher_suite(conn) == suites[i]);
        CHECK(buffer_contains(&page, "s_server"));
        oxtls_conn_free(conn);
        oxtls_config_free(config);
        buffer_free(&page);
    }
}

/* A TLS 1.2-only server: the default config (TLS 1.3 and 1.2) completes
 * a TLS 1.2 handshake with it; one limited to TLS 1.3 is refused with an
 * alert. */
static void tls12_only_server(void)
{
    const uint16_t tls13[] = {0x0304};
    const oxtls_config *config = config_trusting(pki_path("ca.pem"));
    struct buffer page = {0};
    oxtls_config_builder *b;
    oxtls_conn *conn = NULL;
    CHECK_RESULT(fetch(config, "localhost", openssl12_port(), "/", &page, &conn), OXTLS_OK);
    CHECK(oxtls_conn_protocol_version(conn) == 0x0303);
    CHECK(buffer_contains(&page, "s_server"));
    oxtls_conn_free(conn);
    oxtls_config_free(config);
    buffer_free(&page);

    b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_protocol_versions(b, tls13, 1), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    CHECK_RESULT(fetch(config, "localhost", openssl12_port(), "/", &page, NULL),
                 OXTLS_ERR_ALERT_PROTOCOL_VERSION);
    oxtls_config_free(config);
    buffer_free(&page);
}

const struct test openssl_tests[] = {
    {"get_page_from_s_server", get_page_from_s_server},
    {"each_suite_with_s_server", each_suite_with_s_server},
    {"tls12_only_server", tls12_only_server},
    {NULL, NULL},
};
