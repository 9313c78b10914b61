# Debian packages through CPack (./dev package, or `cpack --config build/release/CPackConfig.cmake`
# after a release build), one per install component:
#   libopenai-images-dev  the static libraries, headers, CMake package config, openai-images.pc
#   openai-images         the CLI and the emulator, shell completions, the man page
# The library is static (no runtime library package): the -dev package depends on the -dev
# packages of what its users link (Boost.JSON, Boost.URL, OpenSSL); the programs' Depends come
# from dpkg-shlibdeps over what they actually link (Boost, libssl3, libpng, libjpeg, libwebp).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME openai-images)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# The first line of each component's description is its summary: CPackDeb puts
# CPACK_PACKAGE_DESCRIPTION_SUMMARY before both unless it is CPack's default, which this is.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
# A placeholder until the project has a maintainer address (lintian: bogus-mail-host).
set(OPENAI_IMAGES_PACKAGE_MAINTAINER "openai-images maintainers <openai-images@localhost>"
    CACHE STRING "Maintainer field of the Debian packages")
set(CPACK_PACKAGE_CONTACT "${OPENAI_IMAGES_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}/package")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL dev tools)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://platform.openai.com/docs/api-reference/images")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libopenai-images-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libboost1.81-dev, libboost-json1.81-dev, libboost-url1.81-dev, libssl-dev")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "Asynchronous C++20 client for the OpenAI Images API (development files)
Boost.Asio/Beast client for image generation, edits, variations and streamed
partial images: static libraries, headers, CMake package config
(find_package(openai_images), target openai::images) and pkg-config file
(openai-images).")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME openai-images)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION graphics)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SHLIBDEPS ON)
set(CPACK_COMPONENT_TOOLS_DESCRIPTION
    "Command-line client and local emulator for the OpenAI Images API
openai-images generates and edits images, runs resumable rate-limited batches,
load-tests an image service and previews images in the terminal.
openai-images-emulator is a local stand-in for the API (TLS, faults, streams).
Includes bash, zsh and fish completions and a manual page.")

include(CPack)

# cpack (and the install target) take what is built instead of building everything first:
# ./dev package builds only what the packages hold.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
