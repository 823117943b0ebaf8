# Installation: libkite (static and shared, versioned soname), the public
# headers, the kite command, a CMake package (find_package(kite CONFIG):
# kite::kite, the shared library, and kite::kite_static) and kite.pc for
# pkg-config. The version is the project's, which comes from include/kite.h.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KITE_VERSION ${PROJECT_VERSION})
# While the major version is 0 a minor version may change the ABI.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(KITE_SOVERSION 0.${PROJECT_VERSION_MINOR})
  set(KITE_COMPATIBILITY SameMinorVersion)
else()
  set(KITE_SOVERSION ${PROJECT_VERSION_MAJOR})
  set(KITE_COMPATIBILITY SameMajorVersion)
endif()

set_target_properties(kite_shared PROPERTIES VERSION ${KITE_VERSION} SOVERSION ${KITE_SOVERSION}
                                             EXPORT_NAME kite)
set_target_properties(kite_static PROPERTIES EXPORT_NAME kite_static)
# A sanitizer build's library needs its runtime in every program using it.
set(KITE_USER_SAN_FLAGS ${KITE_SAN_FLAGS})
if(KITE_TSAN)
  list(APPEND KITE_USER_SAN_FLAGS -fsanitize=thread)
endif()
foreach(lib kite_shared kite_static)
  target_include_directories(${lib} INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  if(KITE_USER_SAN_FLAGS)
    target_link_options(${lib} INTERFACE ${KITE_USER_SAN_FLAGS})
  endif()
endforeach()

install(TARGETS kite_shared kite_static EXPORT kiteTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS kite RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES include/kite.h include/kite_features.def include/kite_traps.def include/wasm.h
              include/kite_wasm.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(KITE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/kite)
install(EXPORT kiteTargets NAMESPACE kite:: FILE kiteTargets.cmake DESTINATION ${KITE_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/kiteConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/kiteConfig.cmake
                              INSTALL_DESTINATION ${KITE_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/kiteConfigVersion.cmake
                                 VERSION ${KITE_VERSION} COMPATIBILITY ${KITE_COMPATIBILITY})
install(FILES ${CMAKE_BINARY_DIR}/kiteConfig.cmake ${CMAKE_BINARY_DIR}/kiteConfigVersion.cmake
        DESTINATION ${KITE_CMAKE_DIR})

# kite.pc finds its prefix from where it is installed (${pcfiledir}), so a
# tree installed with `cmake --install --prefix DIR` or moved is still right.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(KITE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  set(KITE_PC_PREFIX "\${pcfiledir}")
  string(REPLACE "/" ";" libdir_parts "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
  foreach(part ${libdir_parts})
    string(APPEND KITE_PC_PREFIX "/..")
  endforeach()
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(KITE_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(KITE_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(KITE_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  set(KITE_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
string(JOIN " " KITE_PC_SAN_FLAGS ${KITE_USER_SAN_FLAGS})
configure_file(${CMAKE_SOURCE_DIR}/cmake/kite.pc.in ${CMAKE_BINARY_DIR}/kite.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/kite.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
