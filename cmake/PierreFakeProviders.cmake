# The fake fitness providers (tests/support: Strava, Garmin, Google Health on a loopback HTTP server, speaking their
# wire formats with scripted faults). Tests and benches both use them, and the release preset builds benches without
# tests, so the one definition lives here; including it twice is harmless.
if(NOT TARGET pierre_test_fake_providers)
  set(pierre_fakes_dir ${PROJECT_SOURCE_DIR}/tests/support)
  add_library(pierre_test_fake_providers STATIC
    ${pierre_fakes_dir}/fake_http_server.cpp ${pierre_fakes_dir}/fake_provider.cpp ${pierre_fakes_dir}/fake_strava.cpp
    ${pierre_fakes_dir}/fake_garmin.cpp ${pierre_fakes_dir}/fake_fitbit.cpp)
  target_include_directories(pierre_test_fake_providers PUBLIC ${pierre_fakes_dir})
  # The fake Garmin serves real FIT recordings as activity files, read in place.
  target_compile_definitions(pierre_test_fake_providers PRIVATE
                             PIERRE_SAMPLES_DIR="${PROJECT_SOURCE_DIR}/../shared/samples")
  target_link_libraries(pierre_test_fake_providers PUBLIC nlohmann_json::nlohmann_json
                        PRIVATE Boost::headers OpenSSL::Crypto fmt::fmt Threads::Threads pierre_build_flags)
endif()
