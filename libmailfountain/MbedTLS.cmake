# MbedTLS.cmake — imported targets MbedTLS::mbedtls, MbedTLS::mbedx509, MbedTLS::mbedcrypto.
#
# Debian 12's libmbedtls-dev (2.28) ships neither a pkg-config file nor a CMake package (both
# came with mbedTLS 3), so the three libraries are found by name here. This file is included
# by libmailfountain/CMakeLists.txt and, installed beside it, by MailFountainConfig.cmake, so
# that consumers of the static library find them the same way.
if(NOT TARGET MbedTLS::mbedtls)
  find_path(MF_MBEDTLS_INCLUDE_DIR mbedtls/ssl.h REQUIRED)
  set(mf_mbedtls_deps "")
  # Dependency order: x509 needs crypto, tls needs both.
  foreach(mf_lib mbedcrypto mbedx509 mbedtls)
    find_library(MF_${mf_lib}_LIBRARY ${mf_lib} REQUIRED)
    add_library(MbedTLS::${mf_lib} UNKNOWN IMPORTED)
    set_target_properties(MbedTLS::${mf_lib} PROPERTIES
      IMPORTED_LOCATION "${MF_${mf_lib}_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${MF_MBEDTLS_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES "${mf_mbedtls_deps}")
    list(PREPEND mf_mbedtls_deps MbedTLS::${mf_lib})
  endforeach()
endif()
