/*
 * A minimal client for the link tests: built statically against
 * liboxtls.a, and out of tree against an installed oxtls with pkg-config.
 * Fetches https://localhost:PORT/ trusting CAFILE and prints the body.
 *
 *     link_check PORT CAFILE
 */
#define _POSIX_C_SOURCE 200112L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <oxtls.h>

int main(int argc, char **argv)
{
    oxtls_config_builder *builder = oxtls_config_builder_new();
    const oxtls_config *config;
    oxtls_conn *conn;
    struct sockaddr_in addr;
    const char request[] = "GET / HTTP/1.0\r\n\r\n";
    uint8_t buf[4096];
    size_t n;
    oxtls_result r;
    int fd;

    if (argc != 3)
        return 2;
    r = oxtls_config_builder_load_roots_file(builder, argv[2]);
    if (r != OXTLS_OK) {
        oxtls_config_builder_free(builder);
        fprintf(stderr, "link_check: %s\n", oxtls_result_message(r));
        return 1;
    }
    if (oxtls_config_builder_build(builder, &config) != OXTLS_OK ||
        oxtls_conn_new(config, "localhost", &conn) != OXTLS_OK)
        return 1;
    oxtls_config_free(config);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)atoi(argv[1]));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        return 1;

    r = oxtls_conn_write(conn, (const uint8_t *)request, strlen(request), &n);
    while (r == OXTLS_OK) {
        r = oxtls_conn_read(conn, buf, sizeof buf, &n);
        if (r == OXTLS_OK && n == 0)
            break;
        if (r == OXTLS_OK) {
            fwrite(buf, 1, n, stdout);
        } else if (r == OXTLS_PLAINTEXT_EMPTY) {
            r = OXTLS_OK;
            while (r == OXTLS_OK && oxtls_conn_wants_write(conn))
                r = oxtls_conn_write_tls_fd(conn, fd, &n);
            if (r == OXTLS_OK)
                r = oxtls_conn_read_tls_fd(conn, fd, &n);
            if (r == OXTLS_OK)
                r = oxtls_conn_process_new_packets(conn);
        }
    }
    if (r != OXTLS_OK)
        fprintf(stderr, "link_check: %s\n", oxtls_result_message(r));
    close(fd);
    oxtls_conn_free(conn);
    return r == OXTLS_OK ? 0 : 1;
}
