// activity::Service over every backend (tests/support/backend_fixture.hpp): keyset pages under concurrent inserts,
// de-duplication, file imports of the shared samples, owner scoping of every call, filters, cursors and totals.

#include "pierre/activity/service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "backend_fixture.hpp"
#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"

namespace pierre::activity {
namespace {

using pierre::testing::describe;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t k2015 = 1'420'070'400'000;  // 2015-01-01T00:00:00Z, a Thursday

std::vector<std::uint8_t> sample(const std::string& relative) {
  std::ifstream in(std::string(PIERRE_SAMPLES_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open sample " << relative;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

NewActivity synthetic(std::string source, std::string external_id, std::int64_t start_ms, double elapsed_s = 3600,
                      SportType sport = SportType::run, double distance_m = 10'000) {
  NewActivity item;
  auto& a = item.activity;
  a.source = std::move(source);
  a.external_id = std::move(external_id);
  a.sport = sport;
  a.name = "Synthetic " + a.external_id;
  a.device = "test";
  a.summary.start_time_ms = start_ms;
  a.summary.elapsed_time_s = elapsed_s;
  a.summary.moving_time_s = elapsed_s * 0.95;
  a.summary.distance_m = distance_m;
  a.summary.total_ascent_m = 12.5;
  return item;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// (start_time desc, id desc): the order of every page walk. The PostgreSQL test cluster uses the C collation, so
// ids compare bytewise on both backends.
bool comes_before(const Activity& a, const Activity& b) {
  if (a.summary.start_time_ms != b.summary.start_time_ms) return a.summary.start_time_ms > b.summary.start_time_ms;
  return a.id > b.id;
}

class ActivityServiceTest : public pierre::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* tenant : {"t1", "t2"}) {
      pierre::testing::add_tenant(db(), tenant);
      if (HasFatalFailure()) return;
    }
    auto cursors = store::CursorCodec::create(crypto::Bytes(32, 7));
    ASSERT_TRUE(cursors) << describe(cursors);
    service_ = std::make_unique<Service>(db(), std::move(*cursors));
  }

  Stored store_one(const Owner& owner, NewActivity item) {
    std::vector<NewActivity> items;
    items.push_back(std::move(item));
    auto stored = service_->store(owner, std::move(items));
    EXPECT_TRUE(stored) << describe(stored);
    if (!stored || stored->size() != 1) {
      ADD_FAILURE() << "store did not return one result";
      return {};
    }
    return std::move(stored->front());
  }

  std::int64_t count(const Owner& owner) {
    auto n = service_->count(owner);
    EXPECT_TRUE(n) << describe(n);
    return n ? *n : -1;
  }

  // Every page of `query` (its limit), checking the order within and across pages; at most `max_pages`.
  std::vector<Activity> walk(const Owner& owner, ListQuery query, std::size_t max_pages = 1000) {
    std::vector<Activity> out;
    for (std::size_t page_no = 0; page_no < max_pages; ++page_no) {
      auto page = service_->list(owner, query);
      EXPECT_TRUE(page) << describe(page);
      if (!page) return out;
      EXPECT_LE(page->activities.size(), query.limit);
      for (auto& a : page->activities) out.push_back(std::move(a));
      if (!page->next_cursor) return out;
      query.cursor = *page->next_cursor;
    }
    ADD_FAILURE() << "the walk did not end within " << max_pages << " pages";
    return out;
  }

  Owner alice_{"t1", "usr_alice"};
  Owner bob_{"t1", "usr_bob"};      // alice's tenant, another user
  Owner carol_{"t2", "usr_alice"};  // another tenant (same user id string on purpose)
  std::unique_ptr<Service> service_;
};

// The issue's Done-when: paging through 5 000 activities with limit=37 returns each exactly once, in order, while
// new activities are inserted concurrently (newer than everything, between existing ones in parts already walked
// and not yet walked, and at exactly an existing activity's start time so the id tie-break matters).
TEST_P(ActivityServiceTest, PagingSeesEveryActivityExactlyOnceWhileOthersAreInserted) {
  constexpr int kCount = 5000;
  constexpr int kBatch = 500;
  constexpr std::int64_t kSpanMs = 3652 * kDayMs;  // ten years
  constexpr std::int64_t kStepMs = kSpanMs / kCount;
  constexpr int kMaxWriterRounds = 300;  // three activities each
  constexpr std::size_t kLimit = 37;

  const auto t_store = Clock::now();
  std::set<std::string> originals;
  for (int b = 0; b < kCount; b += kBatch) {
    std::vector<NewActivity> batch;
    for (int i = b; i < b + kBatch; ++i) {
      batch.push_back(synthetic("demo", "demo:" + std::to_string(i), k2015 + i * kStepMs));
    }
    auto stored = service_->store(alice_, std::move(batch));
    ASSERT_TRUE(stored) << describe(stored);
    ASSERT_EQ(stored->size(), std::size_t{kBatch});
    for (const auto& s : *stored) {
      ASSERT_TRUE(s.created) << s.activity.external_id << " " << s.duplicate_reason;
      originals.insert(s.activity.id);
    }
  }
  ASSERT_EQ(originals.size(), std::size_t{kCount});
  const double store_s = seconds_since(t_store);

  std::atomic<bool> walking_done{false};
  std::atomic<int> rounds{0};
  std::mutex mu;
  std::set<std::string> concurrent;  // ids the writer created
  std::string writer_error;
  std::thread writer([&] {
    for (int k = 0; k < kMaxWriterRounds && !walking_done.load(); ++k) {
      std::vector<NewActivity> batch;
      const std::string tag = std::to_string(k);
      // Newer than everything (the first page moves while we walk).
      batch.push_back(synthetic("concurrent", "new:" + tag, k2015 + kSpanMs + k * 3'600'000LL));
      // Halfway between two originals, at slots spread over the whole range (walked and not yet walked).
      const std::int64_t slot = (std::int64_t{k} * 7919) % kCount;
      batch.push_back(synthetic("concurrent", "mid:" + tag, k2015 + slot * kStepMs + kStepMs / 2));
      // At exactly an original's start time (another workout that day: elapsed far from the original's, so not a
      // duplicate); the (start, id) key must still order it on one side of that original.
      const std::int64_t twin = (std::int64_t{k} * 4099 + 17) % kCount;
      batch.push_back(synthetic("concurrent", "twin:" + tag, k2015 + twin * kStepMs, 600));
      auto stored = service_->store(alice_, std::move(batch));
      if (!stored) {
        const std::lock_guard lock(mu);
        writer_error = describe(stored);
        return;
      }
      {
        const std::lock_guard lock(mu);
        for (const auto& s : *stored) {
          if (s.created) concurrent.insert(s.activity.id);
        }
      }
      ++rounds;
    }
  });
  // Let the writer get going before the first page.
  const auto wait_until = Clock::now() + std::chrono::seconds(10);
  while (rounds.load() < 3 && Clock::now() < wait_until) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const int rounds_before = rounds.load();

  // The walk: after each page it waits (briefly) for the writer to finish another round, so that every page
  // boundary sees new activities on every backend, whatever their relative speeds.
  const auto t_walk = Clock::now();
  ListQuery query;
  query.limit = kLimit;
  const std::size_t max_pages = (kCount + 3 * kMaxWriterRounds) / kLimit + 2;
  std::vector<Activity> walked;
  std::string walk_error;
  std::size_t pages = 0;
  for (ListQuery q = query;; ++pages) {
    if (pages == max_pages) {
      walk_error = "the walk did not end within " + std::to_string(max_pages) + " pages";
      break;
    }
    const int before_page = rounds.load();
    auto page = service_->list(alice_, q);
    if (!page) {
      walk_error = describe(page);
      break;
    }
    for (auto& a : page->activities) walked.push_back(std::move(a));
    if (!page->next_cursor) break;
    q.cursor = *page->next_cursor;
    const auto deadline = Clock::now() + std::chrono::seconds(1);
    while (rounds.load() == before_page && rounds.load() < kMaxWriterRounds && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  const double walk_s = seconds_since(t_walk);
  const int rounds_during = rounds.load() - rounds_before;
  walking_done = true;
  writer.join();
  ASSERT_TRUE(writer_error.empty()) << writer_error;
  ASSERT_TRUE(walk_error.empty()) << walk_error;

  EXPECT_GT(rounds_during, 0) << "the writer made no progress during the walk: nothing was tested";
  std::map<std::string, int> seen;
  for (const auto& a : walked) ++seen[a.id];
  for (const auto& [id, n] : seen) {
    EXPECT_EQ(n, 1) << id << " appeared " << n << " times";
    EXPECT_TRUE(originals.contains(id) || concurrent.contains(id)) << id << " was never stored";
  }
  std::size_t originals_seen = 0;
  for (const auto& id : originals) originals_seen += seen.contains(id) ? 1U : 0U;
  EXPECT_EQ(originals_seen, std::size_t{kCount});
  for (std::size_t i = 1; i < walked.size(); ++i) {
    ASSERT_TRUE(comes_before(walked[i - 1], walked[i]))
        << "out of order at " << i << ": " << walked[i - 1].summary.start_time_ms << "/" << walked[i - 1].id << " then "
        << walked[i].summary.start_time_ms << "/" << walked[i].id;
  }

  // Quiescent: a second walk sees exactly what is stored.
  const auto again = walk(alice_, query, max_pages);
  EXPECT_EQ(static_cast<std::int64_t>(again.size()), count(alice_));
  EXPECT_EQ(again.size(), kCount + concurrent.size());

  std::cout << "[ timing ] " << GetParam() << ": stored " << kCount << " in " << store_s << " s; walked "
            << walked.size() << " in " << pages + 1 << " pages in " << walk_s << " s while " << rounds_during
            << " writer rounds ran (" << concurrent.size() << " activities added in all)\n";
}

TEST_P(ActivityServiceTest, DeduplicatesBySourceIdAndByStartAndDurationPerUser) {
  const std::int64_t start = k2015 + 100 * kDayMs;
  const auto first = store_one(alice_, synthetic("file", "fit:1", start, 3600));
  ASSERT_TRUE(first.created);
  ASSERT_FALSE(first.activity.id.empty());
  EXPECT_TRUE(first.activity.id.starts_with("act_")) << first.activity.id;

  // 1. The same (source, external_id) again — even with other values — is the stored activity.
  const auto again = store_one(alice_, synthetic("file", "fit:1", start + 5 * kDayMs, 100));
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.duplicate_reason, "same_source_id");
  EXPECT_EQ(again.activity.id, first.activity.id);
  EXPECT_EQ(again.activity.summary.start_time_ms, start);

  // 2. The same workout from another source: start +45 s, elapsed +1.5 % (< 2 % of 3600 s = 72 s).
  const auto strava = store_one(alice_, synthetic("strava", "s-99", start + 45'000, 3654));
  EXPECT_FALSE(strava.created);
  EXPECT_EQ(strava.duplicate_reason, "same_start_and_duration");
  EXPECT_EQ(strava.activity.id, first.activity.id);
  // Start −45 s works the same way.
  const auto earlier = store_one(alice_, synthetic("garmin", "g-1", start - 45'000, 3570));
  EXPECT_FALSE(earlier.created);
  EXPECT_EQ(earlier.activity.id, first.activity.id);

  // Outside the windows: start +90 s, or the same start with an elapsed time 3 % off → new activities.
  const auto later = store_one(alice_, synthetic("strava", "s-100", start + 90'000, 3600));
  EXPECT_TRUE(later.created);
  EXPECT_NE(later.activity.id, first.activity.id);
  const auto longer = store_one(alice_, synthetic("strava", "s-101", start + 10'000, 3600 * 1.03));
  EXPECT_TRUE(longer.created);
  // A short activity: the tolerance is at least 60 s (not 2 % of 600 s = 12 s).
  const auto short_one = store_one(alice_, synthetic("file", "short", start + 30 * kDayMs, 600));
  ASSERT_TRUE(short_one.created);
  const auto short_copy = store_one(alice_, synthetic("strava", "short-copy", start + 30 * kDayMs + 10'000, 655));
  EXPECT_FALSE(short_copy.created);
  EXPECT_EQ(short_copy.activity.id, short_one.activity.id);
  EXPECT_EQ(count(alice_), 4);

  // Another user of the same tenant, and a user of another tenant: their own activities, never alice's.
  const auto bobs = store_one(bob_, synthetic("file", "fit:1", start, 3600));
  EXPECT_TRUE(bobs.created);
  EXPECT_NE(bobs.activity.id, first.activity.id);
  const auto bobs_strava = store_one(bob_, synthetic("strava", "s-99", start + 45'000, 3654));
  EXPECT_FALSE(bobs_strava.created);
  EXPECT_EQ(bobs_strava.activity.id, bobs.activity.id);
  const auto carols = store_one(carol_, synthetic("file", "fit:1", start, 3600));
  EXPECT_TRUE(carols.created);
  EXPECT_NE(carols.activity.id, first.activity.id);
  EXPECT_NE(carols.activity.id, bobs.activity.id);
  EXPECT_EQ(count(alice_), 4);
  EXPECT_EQ(count(bob_), 1);
  EXPECT_EQ(count(carol_), 1);

  // Within one batch: the second item is a duplicate of the first, stored a moment before in the same transaction.
  std::vector<NewActivity> batch;
  batch.push_back(synthetic("file", "batch:a", start + 60 * kDayMs));
  batch.push_back(synthetic("file", "batch:a", start + 61 * kDayMs));
  batch.push_back(synthetic("strava", "batch:b", start + 60 * kDayMs + 30'000));
  batch.push_back(synthetic("file", "batch:c", start + 62 * kDayMs));
  auto stored = service_->store(alice_, std::move(batch));
  ASSERT_TRUE(stored) << describe(stored);
  ASSERT_EQ(stored->size(), 4U);
  EXPECT_TRUE((*stored)[0].created);
  EXPECT_FALSE((*stored)[1].created);
  EXPECT_EQ((*stored)[1].duplicate_reason, "same_source_id");
  EXPECT_EQ((*stored)[1].activity.id, (*stored)[0].activity.id);
  EXPECT_FALSE((*stored)[2].created);
  EXPECT_EQ((*stored)[2].duplicate_reason, "same_start_and_duration");
  EXPECT_EQ((*stored)[2].activity.id, (*stored)[0].activity.id);
  EXPECT_TRUE((*stored)[3].created);
  EXPECT_EQ(count(alice_), 6);

  // An empty owner is refused.
  auto nobody = service_->store(Owner{"t1", ""}, {});
  EXPECT_FALSE(nobody);
}

TEST_P(ActivityServiceTest, TruncatedAndUnrecognisedFilesStoreNothing) {
  ASSERT_TRUE(store_one(alice_, synthetic("demo", "demo:0", k2015)).created);
  const auto ride = sample("fit/garmin-edge-500-activity.fit");
  ASSERT_GT(ride.size(), 1000U);
  const std::vector<std::uint8_t> cut(ride.begin(), ride.begin() + static_cast<std::ptrdiff_t>(ride.size() * 6 / 10));
  auto truncated = service_->import_file(alice_, cut, "cut.fit");
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, ErrorCode::invalid_format) << describe(truncated);
  EXPECT_EQ(count(alice_), 1);

  auto garbage = service_->import_file(alice_, std::vector<std::uint8_t>{'h', 'e', 'l', 'l', 'o'}, "notes.txt");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, ErrorCode::invalid_format);
  auto empty = service_->import_file(alice_, {}, "x.fit");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(count(alice_), 1);

  // The whole file imports afterwards (the refused copy did not leave a short activity it would duplicate).
  auto whole = service_->import_file(alice_, ride, "ride.fit");
  ASSERT_TRUE(whole) << describe(whole);
  ASSERT_EQ(whole->activities.size(), 1U);
  EXPECT_TRUE(whole->activities[0].created);
  EXPECT_EQ(count(alice_), 2);
}

// A batch is one transaction: when the database refuses an item, the items before it are not kept either.
// PostgreSQL refuses text that is not UTF-8, which gives a refusal to provoke in the middle of a batch; SQLite stores
// any bytes (and the store runs no trigger DDL), so this case runs on PostgreSQL only (ActivityServicePostgresTest).
class ActivityServicePostgresTest : public ActivityServiceTest {};

TEST_P(ActivityServicePostgresTest, ABatchIsAllOrNothing) {
  std::vector<NewActivity> batch;
  batch.push_back(synthetic("file", "atomic:1", k2015));
  batch.push_back(synthetic("file", "atomic:2", k2015 + kDayMs));
  batch.back().activity.name = "bad \xff\xfe name";
  batch.push_back(synthetic("file", "atomic:3", k2015 + 2 * kDayMs));
  auto stored = service_->store(alice_, std::move(batch));
  ASSERT_FALSE(stored);
  EXPECT_EQ(count(alice_), 0);
  // Nothing of the batch is left to be a duplicate of.
  EXPECT_TRUE(store_one(alice_, synthetic("file", "atomic:1", k2015)).created);
}

TEST_P(ActivityServiceTest, ImportsAMultisportFitAsOneActivityPerSessionSharingAGroup) {
  const auto bytes = sample("fit/activity-large-fenxi2-multisport.fit");
  auto decoded = decode_activity_file(bytes, "multi.fit");
  ASSERT_TRUE(decoded) << describe(decoded);
  ASSERT_GT(decoded->sessions.size(), 1U);

  auto report = service_->import_file(alice_, bytes, "multi.fit");
  ASSERT_TRUE(report) << describe(report);
  const auto& acts = report->activities;
  ASSERT_EQ(acts.size(), decoded->sessions.size());
  std::set<std::string> ids;
  std::vector<std::string> sports;
  for (std::size_t i = 0; i < acts.size(); ++i) {
    const auto& a = acts[i].activity;
    EXPECT_TRUE(acts[i].created);
    EXPECT_EQ(a.source, "file");
    ASSERT_TRUE(a.group_id.has_value());
    EXPECT_EQ(a.group_id, acts[0].activity.group_id);
    EXPECT_TRUE(a.external_id.ends_with("#" + std::to_string(i))) << a.external_id;
    EXPECT_EQ(a.sport, sport_from_source(decoded->sessions[i].sport, decoded->sessions[i].sub_sport));
    EXPECT_EQ(a.summary.start_time_ms, decoded->sessions[i].totals.start_time_ms);
    if (i > 0) {
      EXPECT_GT(a.summary.start_time_ms, acts[i - 1].activity.summary.start_time_ms);
    }
    ids.insert(a.id);
    sports.emplace_back(sport_name(a.sport));
  }
  EXPECT_EQ(ids.size(), acts.size());
  // The sessions of this recording (a Fenix 2 file): generic, transition, running, transition, running, transition,
  // cycling — what its FIT session messages say.
  EXPECT_EQ(sports,
            (std::vector<std::string>{"other", "transition", "run", "transition", "run", "transition", "ride"}));

  // Stored as listed: all of them, one group, in the file's order reversed (newest first).
  const auto listed = walk(alice_, ListQuery{});
  ASSERT_EQ(listed.size(), acts.size());
  for (std::size_t i = 0; i < listed.size(); ++i) {
    EXPECT_EQ(listed[i].id, acts[acts.size() - 1 - i].activity.id);
    EXPECT_EQ(listed[i].group_id, acts[0].activity.group_id);
  }

  // The same file again (under another name): every session is a duplicate of its stored activity.
  auto again = service_->import_file(alice_, bytes, "multi-copy.fit");
  ASSERT_TRUE(again) << describe(again);
  ASSERT_EQ(again->activities.size(), acts.size());
  for (std::size_t i = 0; i < acts.size(); ++i) {
    EXPECT_FALSE(again->activities[i].created);
    EXPECT_EQ(again->activities[i].duplicate_reason, "same_source_id");
    EXPECT_EQ(again->activities[i].activity.id, acts[i].activity.id);
  }
  EXPECT_EQ(count(alice_), static_cast<std::int64_t>(acts.size()));
}

// The legs of one multisport recording are separate activities even when two short ones start within a minute of
// each other with similar durations (a 40 s transition, then a 90 s leg): the start-and-duration rule is for the same
// workout from another source, never for another session of the same file.
TEST_P(ActivityServiceTest, SessionsOfOneRecordingAreNeverDuplicatesOfEachOther) {
  formats::Recording recording;
  recording.source_id = "fit:123:456";
  const std::int64_t start = k2015 + 10 * kDayMs;
  const auto session = [](std::string sport, std::int64_t at, double elapsed) {
    formats::Session s;
    s.sport = std::move(sport);
    s.totals.start_time_ms = at;
    s.totals.elapsed_s = elapsed;
    s.totals.distance_m = elapsed * 3;
    return s;
  };
  recording.sessions.push_back(session("running", start - 3600'000, 3600));
  recording.sessions.push_back(session("transition", start, 40));
  recording.sessions.push_back(session("cycling", start + 40'000, 90));
  recording.sessions.push_back(session("transition", start + 130'000, 30));
  auto items = activities_from_recording(recording, "unused");
  ASSERT_EQ(items.size(), 4U);
  auto stored = service_->store(alice_, std::move(items));
  ASSERT_TRUE(stored) << describe(stored);
  ASSERT_EQ(stored->size(), 4U);
  for (const auto& s : *stored) {
    EXPECT_TRUE(s.created) << s.activity.external_id << " taken for a duplicate (" << s.duplicate_reason << ")";
  }
  EXPECT_EQ(count(alice_), 4);

  // Another source's copy of a leg is still its duplicate.
  const auto copy = store_one(alice_, synthetic("strava", "leg", start - 3600'000 + 20'000, 3610));
  EXPECT_FALSE(copy.created);
  EXPECT_EQ(copy.duplicate_reason, "same_start_and_duration");
  EXPECT_EQ(copy.activity.id, (*stored)[0].activity.id);
}

TEST_P(ActivityServiceTest, ImportsGpxTcxAndFitSamplesWithTheirStreams) {
  struct Case {
    const char* path;
    std::vector<SportType> sports;  // one per activity, in the file's order
  };
  std::int64_t total = 0;
  for (const auto& c : {Case{"gpx/korita-zbevnica.gpx", {SportType::other, SportType::other, SportType::other}},
                        Case{"tcx/test.tcx", {SportType::run}}, Case{"tcx/sup_activity_1.tcx", {SportType::other}},
                        Case{"fit/garmin-fenix-5-walk.fit", {SportType::walk}}}) {
    SCOPED_TRACE(c.path);
    const auto bytes = sample(c.path);
    auto decoded = decode_activity_file(bytes, c.path);
    ASSERT_TRUE(decoded) << describe(decoded);
    const auto expected = activities_from_recording(*decoded, "unused");
    ASSERT_EQ(expected.size(), c.sports.size());

    auto report = service_->import_file(alice_, bytes, c.path);
    ASSERT_TRUE(report) << describe(report);
    ASSERT_EQ(report->activities.size(), expected.size());
    total += static_cast<std::int64_t>(expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
      SCOPED_TRACE(k);
      const auto& stored = report->activities[k];
      EXPECT_TRUE(stored.created);
      EXPECT_EQ(stored.activity.sport, c.sports[k]) << sport_name(stored.activity.sport);
      EXPECT_EQ(stored.activity.group_id.has_value(), expected.size() > 1);

      auto got = service_->get(alice_, stored.activity.id);
      ASSERT_TRUE(got) << describe(got);
      ASSERT_TRUE(got->has_value());
      EXPECT_EQ((*got)->summary.start_time_ms, expected[k].activity.summary.start_time_ms);
      EXPECT_NEAR((*got)->summary.distance_m, expected[k].activity.summary.distance_m, 1e-6);
      EXPECT_EQ((*got)->laps.size(), expected[k].activity.laps.size());
      EXPECT_EQ((*got)->external_id, stored.activity.external_id);
      EXPECT_EQ((*got)->group_id, stored.activity.group_id);

      // The stored streams are the decoded ones, within the codec's quanta (1 ms, 1e-7°, 1 cm).
      auto streams = service_->streams(alice_, stored.activity.id);
      ASSERT_TRUE(streams) << describe(streams);
      ASSERT_TRUE(streams->has_value());
      const auto& want = expected[k].streams;
      const auto& have = **streams;
      ASSERT_EQ(have.size(), want.size());
      ASSERT_GT(have.size(), 0U);
      ASSERT_EQ(have.latitude_deg.size(), want.latitude_deg.size());
      ASSERT_EQ(have.altitude_m.size(), want.altitude_m.size());
      for (std::size_t i = 0; i < have.size(); ++i) {
        ASSERT_NEAR(have.time_s[i], want.time_s[i], 0.0005 + 1e-9);
        if (!want.latitude_deg.empty() && std::isfinite(want.latitude_deg[i])) {
          ASSERT_NEAR(have.latitude_deg[i], want.latitude_deg[i], 0.5e-7 + 1e-12);
          ASSERT_NEAR(have.longitude_deg[i], want.longitude_deg[i], 0.5e-7 + 1e-12);
        }
        if (!want.altitude_m.empty()) {
          if (std::isfinite(want.altitude_m[i])) {
            ASSERT_NEAR(have.altitude_m[i], want.altitude_m[i], 0.005 + 1e-9);
          } else {
            ASSERT_TRUE(std::isnan(have.altitude_m[i]));
          }
        }
      }
    }

    // The same file again (another name): a duplicate of each stored activity.
    auto again = service_->import_file(alice_, bytes, "renamed");
    ASSERT_TRUE(again) << describe(again);
    ASSERT_EQ(again->activities.size(), expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
      EXPECT_FALSE(again->activities[k].created);
      EXPECT_EQ(again->activities[k].duplicate_reason, "same_source_id");
      EXPECT_EQ(again->activities[k].activity.id, report->activities[k].activity.id);
    }
    EXPECT_EQ(count(alice_), total);
  }
}

TEST_P(ActivityServiceTest, OtherOwnersIdsBehaveAsUnknown) {
  auto item = synthetic("file", "mine", k2015);
  item.streams.time_s = {0, 1, 2};
  item.streams.heart_rate_bpm = {100, 101.5, 103};
  const auto mine = store_one(alice_, std::move(item));
  ASSERT_TRUE(mine.created);
  const auto& id = mine.activity.id;

  for (const auto* other : {&bob_, &carol_}) {
    SCOPED_TRACE(other->tenant_id + "/" + other->user_id);
    auto got = service_->get(*other, id);
    ASSERT_TRUE(got) << describe(got);
    EXPECT_FALSE(got->has_value());
    auto streams = service_->streams(*other, id);
    ASSERT_TRUE(streams) << describe(streams);
    EXPECT_FALSE(streams->has_value());
    auto removed = service_->remove(*other, id);
    ASSERT_TRUE(removed) << describe(removed);
    EXPECT_FALSE(*removed);
    auto listed = service_->list(*other, ListQuery{});
    ASSERT_TRUE(listed) << describe(listed);
    EXPECT_TRUE(listed->activities.empty());
    EXPECT_EQ(count(*other), 0);
  }
  // Unknown and malformed ids.
  for (const std::string& bad : {std::string(), std::string("act_nope"), std::string(65, 'a'), id + "x"}) {
    auto got = service_->get(alice_, bad);
    ASSERT_TRUE(got) << describe(got);
    EXPECT_FALSE(got->has_value());
    auto removed = service_->remove(alice_, bad);
    ASSERT_TRUE(removed);
    EXPECT_FALSE(*removed);
  }

  // Still alice's, with its streams.
  auto got = service_->get(alice_, id);
  ASSERT_TRUE(got && got->has_value()) << describe(got);
  EXPECT_EQ((*got)->name, "Synthetic mine");
  ASSERT_TRUE((*got)->summary.total_ascent_m.has_value());
  EXPECT_DOUBLE_EQ(*(*got)->summary.total_ascent_m, 12.5);
  EXPECT_FALSE((*got)->summary.avg_hr_bpm.has_value());
  auto streams = service_->streams(alice_, id);
  ASSERT_TRUE(streams && streams->has_value()) << describe(streams);
  EXPECT_EQ((*streams)->heart_rate_bpm, (std::vector<double>{100, 101.5, 103}));
  EXPECT_TRUE((*streams)->power_w.empty());

  auto removed = service_->remove(alice_, id);
  ASSERT_TRUE(removed) << describe(removed);
  EXPECT_TRUE(*removed);
  auto gone = service_->get(alice_, id);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  auto gone_streams = service_->streams(alice_, id);
  ASSERT_TRUE(gone_streams);
  EXPECT_FALSE(gone_streams->has_value());
  auto twice = service_->remove(alice_, id);
  ASSERT_TRUE(twice);
  EXPECT_FALSE(*twice);
  EXPECT_EQ(count(alice_), 0);
  // Removed, it is no longer a duplicate target.
  EXPECT_TRUE(store_one(alice_, synthetic("file", "mine", k2015)).created);
}

TEST_P(ActivityServiceTest, ListFiltersAndCursorsAreBoundToTheirWalk) {
  // 60 activities, one every 3 days from 2015-01-01, alternating run / ride / swim, sources demo / file.
  std::vector<NewActivity> batch;
  for (int i = 0; i < 60; ++i) {
    const SportType sport = i % 3 == 0 ? SportType::run : i % 3 == 1 ? SportType::ride : SportType::swim;
    batch.push_back(synthetic(i % 2 == 0 ? "demo" : "file", "x:" + std::to_string(i), k2015 + i * 3 * kDayMs,
                              1800 + i * 100, sport, 1000.0 * i));
  }
  auto stored = service_->store(alice_, std::move(batch));
  ASSERT_TRUE(stored) << describe(stored);
  ASSERT_TRUE(store_one(bob_, synthetic("demo", "bob", k2015)).created);

  const auto check = [&](ListQuery q, const auto& keep, std::size_t want) {
    q.limit = 7;
    const auto walked = walk(alice_, q);
    EXPECT_EQ(walked.size(), want);
    for (std::size_t i = 0; i < walked.size(); ++i) {
      EXPECT_TRUE(keep(walked[i])) << walked[i].external_id;
      if (i > 0) {
        EXPECT_TRUE(comes_before(walked[i - 1], walked[i]));
      }
    }
    return walked;
  };
  check(
      ListQuery{}, [](const Activity&) { return true; }, 60);
  ListQuery rides;
  rides.sport = SportType::ride;
  check(
      rides, [](const Activity& a) { return a.sport == SportType::ride; }, 20);
  ListQuery window;
  window.after_ms = k2015 + 30 * kDayMs;   // i >= 10
  window.before_ms = k2015 + 90 * kDayMs;  // i < 30
  check(
      window,
      [](const Activity& a) {
        return a.summary.start_time_ms >= k2015 + 30 * kDayMs && a.summary.start_time_ms < k2015 + 90 * kDayMs;
      },
      20);
  ListQuery files;
  files.source = "file";
  check(
      files, [](const Activity& a) { return a.source == "file"; }, 30);
  ListQuery all_filters = window;
  all_filters.sport = SportType::run;  // i in [10, 30) with i % 3 == 0: 12, 15, ..., 27
  all_filters.source = "demo";         // and even: 12, 18, 24
  check(
      all_filters, [](const Activity& a) { return a.sport == SportType::run && a.source == "demo"; }, 3);
  ListQuery none;
  none.source = "strava";
  check(
      none, [](const Activity&) { return false; }, 0);

  // A cursor only continues its own walk: not with other filters, not for another user or tenant.
  ListQuery first;
  first.limit = 5;
  first.sport = SportType::ride;
  auto page = service_->list(alice_, first);
  ASSERT_TRUE(page && page->next_cursor) << describe(page);
  ListQuery next = first;
  next.cursor = *page->next_cursor;
  auto ok = service_->list(alice_, next);
  ASSERT_TRUE(ok) << describe(ok);
  EXPECT_EQ(ok->activities.size(), 5U);
  for (const auto& [owner, sport] :
       {std::pair{alice_, std::optional<SportType>(SportType::run)}, std::pair{alice_, std::optional<SportType>()},
        std::pair{bob_, next.sport}, std::pair{carol_, next.sport}}) {
    ListQuery other = next;
    other.sport = sport;
    auto refused = service_->list(owner, other);
    ASSERT_FALSE(refused) << owner.user_id;
    EXPECT_EQ(refused.error().code, ErrorCode::invalid_cursor);
  }
  ListQuery tampered = next;
  tampered.cursor[tampered.cursor.size() / 2] = tampered.cursor[tampered.cursor.size() / 2] == 'A' ? 'B' : 'A';
  auto refused = service_->list(alice_, tampered);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_cursor);

  for (const std::size_t limit : {std::size_t{0}, Service::kMaxPageSize + 1}) {
    ListQuery bad;
    bad.limit = limit;
    auto r = service_->list(alice_, bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::value_out_of_range);
  }
  ListQuery max;
  max.limit = Service::kMaxPageSize;
  auto full = service_->list(alice_, max);
  ASSERT_TRUE(full) << describe(full);
  EXPECT_EQ(full->activities.size(), 60U);
  EXPECT_FALSE(full->next_cursor.has_value());
}

std::chrono::sys_days parse_day(const std::string& s) {
  EXPECT_EQ(s.size(), 10U) << s;
  if (s.size() != 10) return {};
  const int y = std::stoi(s.substr(0, 4));
  const unsigned m = static_cast<unsigned>(std::stoi(s.substr(5, 2)));
  const unsigned d = static_cast<unsigned>(std::stoi(s.substr(8, 2)));
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  EXPECT_TRUE(ymd.ok()) << s;
  return std::chrono::sys_days(ymd);
}

TEST_P(ActivityServiceTest, TotalsBucketEveryActivityOncePerWeekMonthAndYear) {
  // 400 activities over ~3 years at irregular times (UTC, no offset), three sports.
  std::vector<NewActivity> batch;
  std::map<std::int64_t, double> distance_by_start;
  for (int i = 0; i < 400; ++i) {
    const std::int64_t start = k2015 + i * 2 * kDayMs + (i * 7'919'000LL) % kDayMs;
    const SportType sport = i % 4 == 0 ? SportType::ride : i % 4 == 1 ? SportType::swim : SportType::run;
    batch.push_back(synthetic("demo", "t:" + std::to_string(i), start, 1800 + (i % 7) * 300, sport, 100.0 * i));
    distance_by_start[start] = 100.0 * i;
  }
  auto stored = service_->store(alice_, std::move(batch));
  ASSERT_TRUE(stored) << describe(stored);
  ASSERT_TRUE(store_one(bob_, synthetic("demo", "bob", k2015)).created);  // not alice's
  ListQuery by_200;
  by_200.limit = 200;
  const auto all = walk(alice_, by_200);
  ASSERT_EQ(all.size(), 400U);

  for (const auto period : {Period::week, Period::month, Period::year}) {
    SCOPED_TRACE(std::string(period_name(period)));
    auto totals = service_->totals(alice_, period, std::nullopt, std::nullopt, std::nullopt);
    ASSERT_TRUE(totals) << describe(totals);
    std::int64_t n = 0;
    double distance = 0;
    std::vector<std::chrono::sys_days> starts;
    for (const auto& t : *totals) {
      n += t.count;
      distance += t.distance_m;
      const auto day = parse_day(t.period_start);
      const std::chrono::year_month_day ymd(day);
      starts.push_back(day);
      switch (period) {
        case Period::week: EXPECT_EQ(std::chrono::weekday(day), std::chrono::Monday) << t.period_start; break;
        case Period::month: EXPECT_EQ(ymd.day(), std::chrono::day(1)) << t.period_start; break;
        case Period::year:
          EXPECT_EQ(ymd.day(), std::chrono::day(1)) << t.period_start;
          EXPECT_EQ(ymd.month(), std::chrono::January) << t.period_start;
          break;
      }
    }
    EXPECT_EQ(n, 400);
    EXPECT_NEAR(distance, 100.0 * 399 * 400 / 2, 1e-6);
    EXPECT_TRUE(std::is_sorted(starts.begin(), starts.end()));
    EXPECT_EQ(std::adjacent_find(starts.begin(), starts.end()), starts.end()) << "a period listed twice";

    // Each activity is counted in the bucket that contains its start, and each bucket holds exactly those.
    std::map<std::chrono::sys_days, std::int64_t> expected;
    for (const auto& a : all) {
      const auto day = std::chrono::floor<std::chrono::days>(
          std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(a.summary.start_time_ms)));
      auto it = std::upper_bound(starts.begin(), starts.end(), day);
      ASSERT_NE(it, starts.begin()) << a.external_id;
      const auto bucket = *std::prev(it);
      const auto end = period == Period::week ? bucket + std::chrono::days(7)
                       : period == Period::month
                           ? std::chrono::sys_days(std::chrono::year_month_day(bucket) + std::chrono::months(1))
                           : std::chrono::sys_days(std::chrono::year_month_day(bucket) + std::chrono::years(1));
      EXPECT_LT(day, end) << a.external_id << " falls after the bucket that should hold it";
      ++expected[bucket];
    }
    for (const auto& t : *totals) EXPECT_EQ(t.count, expected[parse_day(t.period_start)]) << t.period_start;
  }

  // Filters: the sport and time window narrow the counts the same way list() does.
  auto runs = service_->totals(alice_, Period::month, SportType::run, std::nullopt, std::nullopt);
  ASSERT_TRUE(runs) << describe(runs);
  std::int64_t run_count = 0;
  for (const auto& t : *runs) run_count += t.count;
  EXPECT_EQ(run_count, 200);
  const std::int64_t after = k2015 + 100 * kDayMs;
  const std::int64_t before = k2015 + 400 * kDayMs;
  auto window = service_->totals(alice_, Period::year, std::nullopt, after, before);
  ASSERT_TRUE(window) << describe(window);
  std::int64_t window_count = 0;
  for (const auto& t : *window) window_count += t.count;
  const auto in_window = std::count_if(all.begin(), all.end(), [&](const Activity& a) {
    return a.summary.start_time_ms >= after && a.summary.start_time_ms < before;
  });
  EXPECT_EQ(window_count, in_window);
  auto bobs = service_->totals(bob_, Period::year, std::nullopt, std::nullopt, std::nullopt);
  ASSERT_TRUE(bobs) << describe(bobs);
  ASSERT_EQ(bobs->size(), 1U);
  EXPECT_EQ(bobs->front().count, 1);
  EXPECT_EQ(bobs->front().period_start, "2015-01-01");
}

// Monday boundaries: Sunday 23:59:59.999 UTC is the previous week, Monday 00:00 UTC the next.
TEST_P(ActivityServiceTest, WeeksStartOnMondayAtMidnight) {
  const std::int64_t monday = k2015 + 4 * kDayMs;  // 2015-01-05
  ASSERT_TRUE(store_one(alice_, synthetic("demo", "sun", monday - 1, 60)).created);
  ASSERT_TRUE(store_one(alice_, synthetic("demo", "mon", monday, 60 * 60 * 3)).created);
  ASSERT_TRUE(store_one(alice_, synthetic("demo", "next-sun", monday + 7 * kDayMs - 1, 60)).created);
  auto weeks = service_->totals(alice_, Period::week, std::nullopt, std::nullopt, std::nullopt);
  ASSERT_TRUE(weeks) << describe(weeks);
  ASSERT_EQ(weeks->size(), 2U);
  EXPECT_EQ((*weeks)[0].period_start, "2014-12-29");
  EXPECT_EQ((*weeks)[0].count, 1);
  EXPECT_EQ((*weeks)[1].period_start, "2015-01-05");
  EXPECT_EQ((*weeks)[1].count, 2);
  auto years = service_->totals(alice_, Period::year, std::nullopt, std::nullopt, std::nullopt);
  ASSERT_TRUE(years) << describe(years);
  // Years and months start on the 1st: the Sunday before is in 2015 (and January), its week in 2014.
  ASSERT_EQ(years->size(), 1U);
  EXPECT_EQ((*years)[0].period_start, "2015-01-01");
  EXPECT_EQ((*years)[0].count, 3);
}

INSTANTIATE_TEST_SUITE_P(activity, ActivityServiceTest, ::testing::Values("sqlite_file", "sqlite_memory", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });
INSTANTIATE_TEST_SUITE_P(activity, ActivityServicePostgresTest, ::testing::Values("postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace pierre::activity
