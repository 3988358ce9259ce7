#pragma once
// A real server process on a fresh database of each backend (BackendTest's parameter: SQLite file, PostgreSQL
// schema…), for black-box suites that need both: the fixture opens the database to create it, hands it to the server
// and stops the server before the schema is dropped.

#include <memory>

#include "backend_fixture.hpp"
#include "identity_support.hpp"
#include "server_process.hpp"

namespace pierre::testing {

class ServerBackendTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    db_.reset();  // the server owns the database from here
    server_ = std::make_unique<ServerProcess>(launch_options());
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  void TearDown() override {
    client_.reset();
    server_.reset();  // before the schema is dropped
    BackendTest::TearDown();
  }

  HttpClient& c() { return *client_; }
  // How the server starts; a suite that needs more (e.g. test-only fixtures) adds to it.
  virtual LaunchOptions launch_options() { return identity_server(dir_, url_); }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace pierre::testing
