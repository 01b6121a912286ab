/*
 * Building configs: loading roots from every kind of source (and
 * refusing bad ones), and the settings a build refuses.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long size;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)size + 1);
    if (data != NULL && fread(data, 1, (size_t)size, f) != (size_t)size) {
        free(data);
        data = NULL;
    }
    fclose(f);
    if (data != NULL) {
        data[size] = '\0';
        *len = (size_t)size;
    }
    return data;
}

/* Fetches / from the test server with `config`; true if it worked. */
static bool fetch_works(const oxtls_config *config, const char *name)
{
    struct buffer page = {0};
    oxtls_result r = fetch(config, name, server_port(), "/", &page, NULL);
    bool ok = CHECK_RESULT(r, OXTLS_OK) && CHECK(buffer_contains(&page, "oxtls test server"));
    buffer_free(&page);
    return ok;
}

static void roots_from_a_pem_file(void)
{
    const oxtls_config *config = config_trusting(pki_path("ca.pem"));
    CHECK(config != NULL);
    fetch_works(config, "localhost");
    oxtls_config_free(config);
}

/* A directory as OpenSSL's c_rehash / `openssl rehash` leaves it. */
static void roots_from_a_hashed_directory(void)
{
    const oxtls_config *config = config_trusting(pki_path("hashed"));
    CHECK(config != NULL);
    fetch_works(config, "localhost");
    oxtls_config_free(config);
}

static void roots_from_memory(void)
{
    size_t len = 0;
    char *pem = read_file(pki_path("ca.pem"), &len);
    const oxtls_config *config = NULL;
    oxtls_config_builder *b = oxtls_config_builder_new();
    CHECK(pem != NULL);
    CHECK_RESULT(oxtls_config_builder_add_roots_pem(b, (const uint8_t *)pem, len), OXTLS_OK);
    /* The same root twice is fine. */
    CHECK_RESULT(oxtls_config_builder_add_roots_pem(b, (const uint8_t *)pem, len), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    fetch_works(config, "127.0.0.1");
    oxtls_config_free(config);
    free(pem);
}

/* The server's intermediate (taken from a first connection) as a DER root:
 * trusting an intermediate is enough to verify the leaf it issued. */
static void root_from_der(void)
{
    const oxtls_config *config = config_trusting(pki_path("ca.pem")), *pinned = NULL;
    oxtls_conn *conn = NULL;
    struct buffer page = {0};
    const uint8_t *der;
    size_t der_len;
    oxtls_config_builder *b;
    CHECK_RESULT(fetch(config, "localhost", server_port(), "/", &page, &conn), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_peer_certificate(conn, 1, &der, &der_len), OXTLS_OK);

    b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_add_root_der(b, der, der_len), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_add_root_der(b, der, der_len - 1),
                 OXTLS_ERR_CERT_BAD_ENCODING);
    CHECK_RESULT(oxtls_config_builder_build(b, &pinned), OXTLS_OK);
    fetch_works(pinned, "localhost");

    oxtls_config_free(pinned);
    oxtls_conn_free(conn);
    oxtls_config_free(config);
    buffer_free(&page);
}

static void bad_pem_is_refused(void)
{
    static const char garbage[] = "-----BEGIN CERTIFICATE-----\n!!not base64!!\n"
                                  "-----END CERTIFICATE-----\n";
    static const char no_certificate[] = "just some text, no PEM at all\n";
    static const char a_key[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    static const char not_der[] = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n"
                                  "-----END CERTIFICATE-----\n";
    static const uint8_t junk_der[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    const oxtls_config *config = NULL;
    oxtls_config_builder *b = oxtls_config_builder_new();

    CHECK_RESULT(oxtls_config_builder_add_roots_pem(b, (const uint8_t *)garbage, strlen(garbage)),
                 OXTLS_ERR_BAD_PEM);
    CHECK_RESULT(oxtls_config_builder_add_roots_pem(b, (const uint8_t *)no_certificate,
                                                    strlen(no_certificate)),
                 OXTLS_ERR_BAD_PEM);
    CHECK_RESULT(oxtls_config_builder_add_roots_pem(b, (const uint8_t *)a_key, strlen(a_key)),
                 OXTLS_ERR_BAD_PEM);
    CHECK_RESULT(oxtls_config_builder_add_roots_pem(b, (const uint8_t *)not_der, strlen(not_der)),
                 OXTLS_ERR_CERT_BAD_ENCODING);
    CHECK_RESULT(oxtls_config_builder_add_root_der(b, junk_der, sizeof junk_der),
                 OXTLS_ERR_CERT_BAD_ENCODING);
    /* A file that is not PEM, and files and directories that are not there. */
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("server-key.pem")),
                 OXTLS_ERR_BAD_PEM);
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("no-such-file.pem")),
                 OXTLS_ERR_CANNOT_READ_FILE);
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("empty-dir")),
                 OXTLS_ERR_NO_ROOT_CERTIFICATES);
    /* Files that are not regular are refused, not waited on (a FIFO) or
     * read without end (a device). */
    char fifo[256];
    snprintf(fifo, sizeof fifo, "%s.fifo", pki_path("ca.pem"));
    remove(fifo);
    CHECK(mkfifo(fifo, 0600) == 0);
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, fifo), OXTLS_ERR_CANNOT_READ_FILE);
    CHECK_RESULT(oxtls_config_builder_set_client_cert_pem(b, pki_path("ca.pem"), fifo),
                 OXTLS_ERR_CANNOT_READ_FILE);
    remove(fifo);
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, "/dev/zero"),
                 OXTLS_ERR_CANNOT_READ_FILE);
    /* Nothing was added by any of that. */
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_ERR_NO_ROOT_CERTIFICATES);
    CHECK(config == NULL);
}

/* Saves an environment variable, to restore it after a test. */
static char *saved_env(const char *name)
{
    const char *value = getenv(name);
    return value != NULL ? strdup(value) : NULL;
}

static void restore_env(const char *name, char *value)
{
    if (value != NULL)
        setenv(name, value, 1);
    else
        unsetenv(name);
    free(value);
}

/* The system's roots, pointed at our CA the way OpenSSL users do. */
static void system_roots_follow_ssl_cert_file(void)
{
    const oxtls_config *config = NULL;
    oxtls_config_builder *b = oxtls_config_builder_new();
    char *old_file = saved_env("SSL_CERT_FILE"), *old_dir = saved_env("SSL_CERT_DIR");

    unsetenv("SSL_CERT_DIR");
    setenv("SSL_CERT_FILE", pki_path("no-such-file.pem"), 1);
    CHECK_RESULT(oxtls_config_builder_load_system_roots(b), OXTLS_ERR_NO_ROOT_CERTIFICATES);
    setenv("SSL_CERT_FILE", pki_path("ca.pem"), 1);
    CHECK_RESULT(oxtls_config_builder_load_system_roots(b), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    fetch_works(config, "localhost");
    oxtls_config_free(config);

    /* A hashed directory through SSL_CERT_DIR. */
    unsetenv("SSL_CERT_FILE");
    setenv("SSL_CERT_DIR", pki_path("hashed"), 1);
    b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_load_system_roots(b), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    fetch_works(config, "localhost");
    oxtls_config_free(config);

    restore_env("SSL_CERT_FILE", old_file);
    restore_env("SSL_CERT_DIR", old_dir);
}

static void builds_that_cannot_work_are_refused(void)
{
    const uint16_t tls13[] = {0x0304};
    const uint16_t tls12_suite[] = {0xc02b};
    const oxtls_config *config = (const oxtls_config *)1;
    oxtls_config_builder *b;

    /* Verification on and no roots. */
    b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_ERR_NO_ROOT_CERTIFICATES);
    CHECK(config == NULL);

    /* TLS 1.3 only, with only a TLS 1.2 suite. */
    b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_dangerous_disable_verification(b), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_protocol_versions(b, tls13, 1), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_cipher_suites(b, tls12_suite, 1), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_ERR_INVALID_CONFIG);
    CHECK(config == NULL);
}

/* Suites, groups, fragment size and SNI reach the handshake. */
static void settings_reach_the_handshake(void)
{
    const uint16_t suite[] = {0x1302};
    const uint16_t groups[] = {0x0018, 0x001d};
    const oxtls_config *config = NULL;
    oxtls_conn *conn = NULL;
    struct buffer page = {0};
    oxtls_config_builder *b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_cipher_suites(b, suite, 1), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_groups(b, groups, 2), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_max_fragment_size(b, 64), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_enable_sni(b, false), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);

    CHECK_RESULT(fetch(config, "localhost", server_port(), "/", &page, &conn), OXTLS_OK);
    CHECK(buffer_contains(&page, "oxtls test server"));
    CHECK(oxtls_conn_cipher_suite(conn) == 0x1302);
    CHECK(oxtls_conn_protocol_version(conn) == 0x0304);
    /* One of the two groups offered; the server picks which. */
    CHECK(oxtls_conn_negotiated_group(conn) == 0x0018 ||
          oxtls_conn_negotiated_group(conn) == 0x001d);

    oxtls_conn_free(conn);
    oxtls_config_free(config);
    buffer_free(&page);
}

const struct test config_tests[] = {
    {"roots_from_a_pem_file", roots_from_a_pem_file},
    {"roots_from_a_hashed_directory", roots_from_a_hashed_directory},
    {"roots_from_memory", roots_from_memory},
    {"root_from_der", root_from_der},
    {"bad_pem_is_refused", bad_pem_is_refused},
    {"system_roots_follow_ssl_cert_file", system_roots_follow_ssl_cert_file},
    {"builds_that_cannot_work_are_refused", builds_that_cannot_work_are_refused},
    {"settings_reach_the_handshake", settings_reach_the_handshake},
    {NULL, NULL},
};
