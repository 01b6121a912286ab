/*
 * Session resumption through the C API: connections made from one config
 * resume from the tickets earlier ones received (TLS 1.3), or from the
 * session of an earlier one (TLS 1.2, s_server -tls1_2), against the
 * rustls test server and s_server; a cache size of 0 turns it off.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A config trusting the test CA that keeps `cache_size` tickets. */
static const oxtls_config *config_with_cache(size_t cache_size)
{
    const oxtls_config *config = NULL;
    oxtls_config_builder *b = oxtls_config_builder_new();
    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_session_cache_size(b, cache_size), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    return config;
}

/* GETs / from port with config; returns whether the connection resumed
 * (and checks the page arrived and the peer's certificate is known). */
static bool get_and_report_resumed(const oxtls_config *config, int port, const char *expect)
{
    oxtls_conn *conn = NULL;
    struct buffer page = {0};
    const uint8_t *der = NULL;
    size_t der_len = 0;
    bool resumed;
    CHECK_RESULT(fetch(config, "localhost", port, "/", &page, &conn), OXTLS_OK);
    CHECK(buffer_contains(&page, expect));
    resumed = oxtls_conn_is_resumed(conn);
    /* A resumed connection still names the server's certificate: the one
     * the ticket's connection verified. */
    CHECK_RESULT(oxtls_conn_peer_certificate(conn, 0, &der, &der_len), OXTLS_OK);
    CHECK(der != NULL && der_len > 100);
    oxtls_conn_free(conn);
    buffer_free(&page);
    return resumed;
}

static void second_connection_resumes(void)
{
    const oxtls_config *config = config_with_cache(16);
    CHECK(!get_and_report_resumed(config, server_port(), "oxtls test server"));
    CHECK(get_and_report_resumed(config, server_port(), "oxtls test server"));
    CHECK(get_and_report_resumed(config, server_port(), "oxtls test server"));
    oxtls_config_free(config);
    CHECK(!oxtls_conn_is_resumed(NULL));
}

static void second_connection_resumes_with_s_server(void)
{
    const oxtls_config *config = config_with_cache(16);
    CHECK(!get_and_report_resumed(config, openssl_port(), "s_server"));
    CHECK(get_and_report_resumed(config, openssl_port(), "s_server"));
    oxtls_config_free(config);
}

/* TLS 1.2 (RFC 5077 ticket): s_server's status page says "New" then
 * "Reused", and so does oxtls_conn_is_resumed. */
static void tls12_second_connection_resumes_with_s_server(void)
{
    const oxtls_config *config = config_with_cache(16);
    CHECK(!get_and_report_resumed(config, openssl12_port(), "New, TLSv1.2"));
    CHECK(get_and_report_resumed(config, openssl12_port(), "Reused, TLSv1.2"));
    CHECK(get_and_report_resumed(config, openssl12_port(), "Reused, TLSv1.2"));
    oxtls_config_free(config);
    /* Without a cache every handshake is full. */
    config = config_with_cache(0);
    CHECK(!get_and_report_resumed(config, openssl12_port(), "New, TLSv1.2"));
    CHECK(!get_and_report_resumed(config, openssl12_port(), "New, TLSv1.2"));
    oxtls_config_free(config);
}

static void a_cache_of_zero_disables_resumption(void)
{
    const oxtls_config *config = config_with_cache(0);
    CHECK(!get_and_report_resumed(config, server_port(), "oxtls test server"));
    CHECK(!get_and_report_resumed(config, server_port(), "oxtls test server"));
    oxtls_config_free(config);
    CHECK_RESULT(oxtls_config_builder_set_session_cache_size(NULL, 1), OXTLS_ERR_NULL_PARAMETER);
}

/* Whether the file at `path` contains `needle` within 10 s. */
static bool file_gets(const char *path, const char *needle)
{
    static char text[1 << 16];
    int tries;
    for (tries = 0; tries < 100; tries++) {
        FILE *f = fopen(path, "rb");
        size_t n = 0;
        struct timespec pause = {0, 100 * 1000 * 1000};
        if (f != NULL) {
            n = fread(text, 1, sizeof text - 1, f);
            fclose(f);
        }
        text[n] = '\0';
        if (strstr(text, needle) != NULL)
            return true;
        nanosleep(&pause, NULL);
    }
    return false;
}

/* 0-RTT to `s_server -early_data`: the first connection gets a ticket that
 * allows early data, the second sends a line with the ClientHello and the
 * server prints it. */
static void early_data_with_s_server(void)
{
    const oxtls_config *config = NULL;
    oxtls_config_builder *b = oxtls_config_builder_new();
    oxtls_conn *conn = NULL;
    char line[64];
    size_t n = 99;
    int fd;

    CHECK_RESULT(oxtls_config_builder_load_roots_file(b, pki_path("ca.pem")), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_set_enable_early_data(b, true), OXTLS_OK);
    CHECK_RESULT(oxtls_config_builder_build(b, &config), OXTLS_OK);
    if (config == NULL)
        return;

    /* First: a full handshake, then one more read for the tickets. */
    CHECK_RESULT(oxtls_conn_new(config, "localhost", &conn), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_write_early_data(conn, (const uint8_t *)"x", 1, &n), OXTLS_OK);
    CHECK(n == 0); /* no ticket yet */
    fd = tcp_connect(openssl_early_port());
    CHECK(fd >= 0);
    CHECK_RESULT(handshake(conn, fd), OXTLS_OK);
    CHECK(!oxtls_conn_is_resumed(conn));
    CHECK_RESULT(exchange(conn, fd), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_send_close_notify(conn), OXTLS_OK);
    /* After close_notify, early data is refused as writes are. */
    CHECK_RESULT(oxtls_conn_write_early_data(conn, (const uint8_t *)"x", 1, &n),
                 OXTLS_ERR_ALREADY_CLOSED);
    CHECK(n == 0);
    flush_tls(conn, fd);
    close(fd);
    oxtls_conn_free(conn);
    conn = NULL;

    /* Second: resumed, with a line of early data the server prints. */
    snprintf(line, sizeof line, "early line from %ld\n", (long)getpid());
    CHECK_RESULT(oxtls_conn_new(config, "localhost", &conn), OXTLS_OK);
    CHECK_RESULT(oxtls_conn_write_early_data(conn, (const uint8_t *)line, strlen(line), &n),
                 OXTLS_OK);
    CHECK(n == strlen(line));
    fd = tcp_connect(openssl_early_port());
    CHECK(fd >= 0);
    CHECK_RESULT(handshake(conn, fd), OXTLS_OK);
    CHECK(oxtls_conn_is_resumed(conn));
    CHECK(oxtls_conn_is_early_data_accepted(conn));
    line[strlen(line) - 1] = '\0';
    CHECK(file_gets(openssl_early_log(), line));
    CHECK_RESULT(oxtls_conn_send_close_notify(conn), OXTLS_OK);
    flush_tls(conn, fd);
    close(fd);
    oxtls_conn_free(conn);
    oxtls_config_free(config);
    CHECK(!oxtls_conn_is_early_data_accepted(NULL));
    CHECK_RESULT(oxtls_config_builder_set_enable_early_data(NULL, true), OXTLS_ERR_NULL_PARAMETER);
}

const struct test resumption_tests[] = {
    {"second_connection_resumes", second_connection_resumes},
    {"second_connection_resumes_with_s_server", second_connection_resumes_with_s_server},
    {"tls12_second_connection_resumes_with_s_server",
     tls12_second_connection_resumes_with_s_server},
    {"a_cache_of_zero_disables_resumption", a_cache_of_zero_disables_resumption},
    {"early_data_with_s_server", early_data_with_s_server},
    {NULL, NULL},
};
