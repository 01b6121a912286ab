/*
 * Against OpenSSL's s_server: `-www` (TLS 1.3, answers GET with a status
 * page), one limited to TLS 1.2, and one requiring a client certificate.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
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

/* A config trusting ca.pem, limited to `version` (0 for the defaults),
 * presenting the test server's client certificate. */
static const oxtls_config *config_with_client_cert(uint16_t version)
{
    const oxtls_config *config = NULL;
    oxtls_config_builder *b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
    if (version != 0)
        CHECK_RESULT(oxtls_config_builder_set_protocol_versions(b, &version, 1), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_client_cert_pem(b, pki_path("client-cert.pem"),
                                                          pki_path("client-key.pem")),
                 OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    return config;
}

/* `s_server -Verify 1` requires a client certificate: with ours it serves
 * its page (which describes the certificate) over TLS 1.3 and 1.2;
 * without, the handshake fails. */
static void client_certificate_with_s_server(void)
{
    const uint16_t versions[] = {0x0304, 0x0303};
    const oxtls_config *config;
    struct buffer page = {0};
    size_t i;
    for (i = 0; i < 2; i++) {
        oxtls_conn *conn = NULL;
        config = config_with_client_cert(versions[i]);
        CHECK_RESULT(fetch(config, "localhost", openssl_mtls_port(), "/", &page, &conn), OXTLS_OK);
        CHECK(oxtls_conn_protocol_version(conn) == versions[i]);
        CHECK(buffer_contains(&page, "Client certificate"));
        CHECK(buffer_contains(&page, "oxtls test client"));
        oxtls_conn_free(conn);
        oxtls_config_free(config);
        buffer_free(&page);
    }

    config = config_trusting(pki_path("ca.pem"));
    CHECK(fetch(config, "localhost", openssl_mtls_port(), "/", &page, NULL) != OXTLS_OK);
    CHECK(!buffer_contains(&page, "Client certificate"));
    oxtls_config_free(config);
    buffer_free(&page);
}

/* The whole of a small file, NUL-terminated (abort on failure). */
static char *slurp(const char *path, size_t *len)
{
    char *data = calloc(1, 65536);
    FILE *f = fopen(path, "rb");
    if (data == NULL || f == NULL)
        abort();
    *len = fread(data, 1, 65535, f);
    fclose(f);
    return data;
}

/* The PEM buffer form, and the errors: a key that is not the
 * certificate's, text that is not PEM, a file that is not there. */
static void client_certificate_from_memory_and_errors(void)
{
    size_t chain_len, key_len, server_key_len;
    char *chain = slurp(pki_path("client-cert.pem"), &chain_len);
    char *key = slurp(pki_path("client-key.pem"), &key_len);
    char *server_key = slurp(pki_path("server-key.pem"), &server_key_len);
    const uint8_t *u_chain = (const uint8_t *)chain, *u_key = (const uint8_t *)key;
    const oxtls_config *config = NULL;
    struct buffer page = {0};
    oxtls_config_builder *b = oxtls_config_builder_new();

    CHECK_RESULT(oxtls_config_builder_set_client_cert_pem_data(
                     b, u_chain, chain_len, (const uint8_t *)server_key, server_key_len),
                 OXTLS_ERR_INVALID_CONFIG);
    CHECK_RESULT(oxtls_config_builder_set_client_cert_pem_data(
                     b, (const uint8_t *)"not pem", 7, u_key, key_len),
                 OXTLS_ERR_BAD_PEM);
    CHECK_RESULT(oxtls_config_builder_set_client_cert_pem_data(b, u_chain, chain_len, u_chain,
                                                               chain_len),
                 OXTLS_ERR_BAD_PEM);
    CHECK_RESULT(oxtls_config_builder_set_client_cert_pem_data(b, NULL, 5, u_key, key_len),
                 OXTLS_ERR_NULL_PARAMETER);
    CHECK_RESULT(oxtls_config_builder_set_client_cert_pem(b, pki_path("no-such-file.pem"),
                                                          pki_path("client-key.pem")),
                 OXTLS_ERR_CANNOT_READ_FILE);
    CHECK_RESULT(oxtls_config_builder_set_client_cert_pem(b, pki_path("client-cert.pem"),
                                                          pki_path("server-key.pem")),
                 OXTLS_ERR_INVALID_CONFIG);

    CHECK_RESULT(oxtls_config_builder_set_client_cert_pem_data(b, u_chain, chain_len, u_key,
                                                               key_len),
                 OXTLS_OK);
    memset(key, 0, key_len); /* oxtls kept its own copy */
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    CHECK_RESULT(fetch(config, "localhost", openssl_mtls_port(), "/", &page, NULL), OXTLS_OK);
    CHECK(buffer_contains(&page, "oxtls test client"));
    oxtls_config_free(config);
    buffer_free(&page);
    free(chain);
    free(key);
    free(server_key);
}

const struct test openssl_tests[] = {
    {"client_certificate_with_s_server", client_certificate_with_s_server},
    {"client_certificate_from_memory_and_errors", client_certificate_from_memory_and_errors},
    {"get_page_from_s_server", get_page_from_s_server},
    {"each_suite_with_s_server", each_suite_with_s_server},
    {"tls12_only_server", tls12_only_server},
    {NULL, NULL},
};
