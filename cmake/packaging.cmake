# Debian packages with CPack (cpack -G DEB in a build configured with
# -DCMAKE_INSTALL_PREFIX=/usr; tests/packaging/deb.sh): snapctl (the binary, its man page,
# completions, systemd units and /etc/snapctl/snapctl.conf), libsnapshot1 (the library and its
# MongoDB module), libsnapshot-dev (header, link, pkg-config, CMake package, libsnapshot(3)).
# Depends are computed by dpkg-shlibdeps from the binaries; the snapctl package depends on
# libsnapshot1 of its own version.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME snapctl)
set(CPACK_PACKAGE_VENDOR "snapctl")
set(CPACK_PACKAGE_CONTACT "snapctl maintainers <snapctl@example.org>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "keep Market Connect's listings true to cold-storage bookings")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL snapctl lib dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/lib)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/snapctl")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)

# What Debian wants in each package's documentation directory: the copyright, and the
# changelog compressed reproducibly (gzip -n: no name, no time).
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/changelog.gz
	COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/packaging/changelog > ${PROJECT_BINARY_DIR}/changelog.gz
	DEPENDS ${PROJECT_SOURCE_DIR}/packaging/changelog VERBATIM)
add_custom_target(changelog ALL DEPENDS ${PROJECT_BINARY_DIR}/changelog.gz)
foreach(pair snapctl:snapctl lib:libsnapshot1 dev:libsnapshot-dev)
	string(REPLACE ":" ";" pair ${pair})
	list(GET pair 0 component)
	list(GET pair 1 package)
	install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright ${PROJECT_BINARY_DIR}/changelog.gz
		DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${package} COMPONENT ${component})
endforeach()

set(CPACK_DEBIAN_SNAPCTL_PACKAGE_NAME snapctl)
set(CPACK_DEBIAN_SNAPCTL_PACKAGE_DEPENDS "adduser")
# Each package's synopsis is the summary above; these are the rest of its description.
set(CPACK_COMPONENT_SNAPCTL_DESCRIPTION "snapctl aggregates each storage booking's quality evidence (inspection,
sensor readings, pests, certificates) into a snapshot in PostgreSQL and
publishes it as a listing in MongoDB, which Market Connect reads. systemd
timers (or cron) run its jobs.")
set(CPACK_COMPONENT_SNAPCTL_DEPENDS lib)
set(CPACK_DEBIAN_SNAPCTL_PACKAGE_CONTROL_EXTRA
	${PROJECT_SOURCE_DIR}/packaging/conffiles ${PROJECT_SOURCE_DIR}/packaging/postinst
	${PROJECT_SOURCE_DIR}/packaging/postrm)

set(CPACK_DEBIAN_LIB_PACKAGE_NAME libsnapshot1)
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_LIB_DESCRIPTION "The library behind snapctl: it aggregates bookings into snapshots in
PostgreSQL and keeps their listings in MongoDB.")
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/packaging/triggers)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libsnapshot-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEV_DESCRIPTION "Development files of libsnapshot: the header, the pkg-config file, the
CMake package and libsnapshot(3).")
set(CPACK_COMPONENT_DEV_DEPENDS lib)
include(CPack)
