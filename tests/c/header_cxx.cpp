// oxtls.h must be usable from C++: this compiles it as C++11 and calls
// into the library through it.
#include <oxtls.h>

#include <cstdio>
#include <cstring>

int main()
{
    oxtls_config_builder *builder = oxtls_config_builder_new();
    const oxtls_config *config = nullptr;
    oxtls_result r = oxtls_config_builder_build(builder, &config);
    bool ok = r == OXTLS_ERR_NO_ROOT_CERTIFICATES && config == nullptr &&
              std::strlen(oxtls_version()) > 0 &&
              oxtls_version_number() == OXTLS_VERSION_NUMBER;
    std::printf("header_cxx: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
