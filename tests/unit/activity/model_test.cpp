// SportType names, the outside vocabularies mapped onto it, and the sport families.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "pierre/activity/model.hpp"

namespace {

using pierre::activity::SportType;
namespace act = pierre::activity;

constexpr int kSportCount = static_cast<int>(SportType::other) + 1;

TEST(SportName, RoundTripsEveryValue) {
  std::set<std::string> seen;
  for (int i = 0; i < kSportCount; ++i) {
    const auto sport = static_cast<SportType>(i);
    const std::string_view name = act::sport_name(sport);
    ASSERT_FALSE(name.empty());
    EXPECT_TRUE(seen.insert(std::string{name}).second) << "duplicate name " << name;
    for (const char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << name;
    const auto back = act::sport_from_name(name);
    ASSERT_TRUE(back.has_value()) << name;
    EXPECT_EQ(*back, sport) << name;
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kSportCount));
}

TEST(SportName, SnakeCaseOfTheEnumNames) {
  EXPECT_EQ(act::sport_name(SportType::trail_run), "trail_run");
  EXPECT_EQ(act::sport_name(SportType::mountain_bike_ride), "mountain_bike_ride");
  EXPECT_EQ(act::sport_name(SportType::open_water_swim), "open_water_swim");
  EXPECT_EQ(act::sport_name(SportType::other), "other");
}

TEST(SportName, FromNameIsExact) {
  EXPECT_FALSE(act::sport_from_name("Run").has_value());
  EXPECT_FALSE(act::sport_from_name("running").has_value());
  EXPECT_FALSE(act::sport_from_name("").has_value());
  EXPECT_FALSE(act::sport_from_name("trail_run ").has_value());
}

struct SourceCase {
  std::string_view sport;
  std::string_view sub_sport;
  SportType expected;
};

void PrintTo(const SourceCase& c, std::ostream* os) {
  *os << '"' << c.sport << "\" / \"" << c.sub_sport << '"';
}

class SportFromSource : public ::testing::TestWithParam<SourceCase> {};

TEST_P(SportFromSource, Maps) {
  const SourceCase& c = GetParam();
  EXPECT_EQ(act::sport_name(act::sport_from_source(c.sport, c.sub_sport)), act::sport_name(c.expected));
}

INSTANTIATE_TEST_SUITE_P(
    Fit, SportFromSource,
    ::testing::Values(
        SourceCase{"running", "", SportType::run}, SourceCase{"running", "generic", SportType::run},
        SourceCase{"running", "trail", SportType::trail_run},
        SourceCase{"running", "treadmill", SportType::treadmill_run}, SourceCase{"running", "street", SportType::run},
        SourceCase{"running", "indoor_running", SportType::treadmill_run},
        SourceCase{"running", "virtual_activity", SportType::treadmill_run}, SourceCase{"cycling", "", SportType::ride},
        SourceCase{"cycling", "road", SportType::ride},
        SourceCase{"cycling", "indoor_cycling", SportType::virtual_ride},
        SourceCase{"cycling", "virtual_activity", SportType::virtual_ride},
        SourceCase{"cycling", "spin", SportType::virtual_ride},
        SourceCase{"cycling", "mountain", SportType::mountain_bike_ride},
        SourceCase{"cycling", "gravel_cycling", SportType::gravel_ride},
        SourceCase{"cycling", "cyclocross", SportType::gravel_ride},
        SourceCase{"cycling", "e_bike_fitness", SportType::e_bike_ride},
        SourceCase{"e_biking", "", SportType::e_bike_ride}, SourceCase{"swimming", "", SportType::swim},
        SourceCase{"swimming", "lap_swimming", SportType::swim},
        SourceCase{"swimming", "open_water", SportType::open_water_swim}, SourceCase{"walking", "", SportType::walk},
        SourceCase{"hiking", "", SportType::hike},
        SourceCase{"hiking", "trail", SportType::hike},  // trail refines only running
        SourceCase{"mountaineering", "", SportType::hike}, SourceCase{"training", "", SportType::workout},
        SourceCase{"training", "strength_training", SportType::strength_training},
        SourceCase{"training", "yoga", SportType::yoga},
        SourceCase{"training", "flexibility_training", SportType::yoga},
        SourceCase{"fitness_equipment", "", SportType::workout},
        SourceCase{"fitness_equipment", "elliptical", SportType::elliptical},
        SourceCase{"fitness_equipment", "indoor_rowing", SportType::rowing},
        SourceCase{"fitness_equipment", "treadmill", SportType::treadmill_run},
        SourceCase{"rowing", "", SportType::rowing},
        SourceCase{"cross_country_skiing", "", SportType::cross_country_ski},
        SourceCase{"alpine_skiing", "", SportType::alpine_ski}, SourceCase{"snowboarding", "", SportType::snowboard},
        SourceCase{"stand_up_paddleboarding", "", SportType::stand_up_paddling},
        SourceCase{"kayaking", "", SportType::kayaking}, SourceCase{"paddling", "", SportType::kayaking},
        SourceCase{"multisport", "", SportType::multisport}, SourceCase{"transition", "", SportType::transition},
        SourceCase{"generic", "", SportType::other}, SourceCase{"generic", "trail", SportType::trail_run},
        SourceCase{"RUNNING", "TRAIL", SportType::trail_run}, SourceCase{"basketball", "", SportType::other}));

INSTANTIATE_TEST_SUITE_P(
    FitNumbers, SportFromSource,
    ::testing::Values(SourceCase{"0", "", SportType::other}, SourceCase{"1", "", SportType::run},
                      SourceCase{"2", "", SportType::ride}, SourceCase{"5", "", SportType::swim},
                      SourceCase{"11", "", SportType::walk}, SourceCase{"17", "", SportType::hike},
                      SourceCase{"15", "", SportType::rowing}, SourceCase{"21", "", SportType::e_bike_ride},
                      SourceCase{"1", "3", SportType::trail_run}, SourceCase{"1", "1", SportType::treadmill_run},
                      SourceCase{"2", "6", SportType::virtual_ride},
                      SourceCase{"2", "8", SportType::mountain_bike_ride},
                      SourceCase{"2", "46", SportType::gravel_ride}, SourceCase{"5", "18", SportType::open_water_swim},
                      SourceCase{"10", "20", SportType::strength_training}, SourceCase{"6", "", SportType::other},
                      SourceCase{"254", "", SportType::other}, SourceCase{"99999", "", SportType::other}));

INSTANTIATE_TEST_SUITE_P(Tcx, SportFromSource,
                         ::testing::Values(SourceCase{"Running", "", SportType::run},
                                           SourceCase{"Biking", "", SportType::ride},
                                           SourceCase{"Other", "", SportType::other}));

INSTANTIATE_TEST_SUITE_P(
    Gpx, SportFromSource,
    ::testing::Values(SourceCase{"running", "", SportType::run}, SourceCase{"Run", "", SportType::run},
                      SourceCase{"cycling", "", SportType::ride}, SourceCase{"9", "", SportType::run},
                      SourceCase{"hiking", "", SportType::hike}, SourceCase{"  Trail Run ", "", SportType::trail_run},
                      SourceCase{"mountain-biking", "", SportType::mountain_bike_ride},
                      SourceCase{"", "", SportType::other}, SourceCase{"???", "", SportType::other},
                      SourceCase{"my favourite loop", "", SportType::other}));

INSTANTIATE_TEST_SUITE_P(
    Strava, SportFromSource,
    ::testing::Values(
        SourceCase{"Run", "", SportType::run}, SourceCase{"TrailRun", "", SportType::trail_run},
        SourceCase{"VirtualRun", "", SportType::treadmill_run}, SourceCase{"Walk", "", SportType::walk},
        SourceCase{"Hike", "", SportType::hike}, SourceCase{"Ride", "", SportType::ride},
        SourceCase{"MountainBikeRide", "", SportType::mountain_bike_ride},
        SourceCase{"GravelRide", "", SportType::gravel_ride}, SourceCase{"EBikeRide", "", SportType::e_bike_ride},
        SourceCase{"EMountainBikeRide", "", SportType::e_bike_ride},
        SourceCase{"VirtualRide", "", SportType::virtual_ride}, SourceCase{"Velomobile", "", SportType::ride},
        SourceCase{"Handcycle", "", SportType::ride}, SourceCase{"Swim", "", SportType::swim},
        SourceCase{"Rowing", "", SportType::rowing}, SourceCase{"Kayaking", "", SportType::kayaking},
        SourceCase{"Canoeing", "", SportType::kayaking},
        SourceCase{"StandUpPaddling", "", SportType::stand_up_paddling},
        SourceCase{"NordicSki", "", SportType::cross_country_ski},
        SourceCase{"BackcountrySki", "", SportType::cross_country_ski},
        SourceCase{"RollerSki", "", SportType::cross_country_ski}, SourceCase{"AlpineSki", "", SportType::alpine_ski},
        SourceCase{"Snowboard", "", SportType::snowboard},
        SourceCase{"WeightTraining", "", SportType::strength_training}, SourceCase{"Yoga", "", SportType::yoga},
        SourceCase{"Pilates", "", SportType::yoga}, SourceCase{"Workout", "", SportType::workout},
        SourceCase{"Crossfit", "", SportType::workout},
        SourceCase{"HighIntensityIntervalTraining", "", SportType::workout},
        SourceCase{"StairStepper", "", SportType::workout}, SourceCase{"Elliptical", "", SportType::elliptical},
        SourceCase{"Golf", "", SportType::other}, SourceCase{"Surfing", "", SportType::other}));

INSTANTIATE_TEST_SUITE_P(
    GarminConnect, SportFromSource,
    ::testing::Values(
        SourceCase{"running", "", SportType::run}, SourceCase{"trail_running", "", SportType::trail_run},
        SourceCase{"treadmill_running", "", SportType::treadmill_run}, SourceCase{"street_running", "", SportType::run},
        SourceCase{"track_running", "", SportType::run}, SourceCase{"indoor_running", "", SportType::treadmill_run},
        SourceCase{"cycling", "", SportType::ride}, SourceCase{"road_biking", "", SportType::ride},
        SourceCase{"mountain_biking", "", SportType::mountain_bike_ride},
        SourceCase{"gravel_cycling", "", SportType::gravel_ride},
        SourceCase{"indoor_cycling", "", SportType::virtual_ride},
        SourceCase{"virtual_ride", "", SportType::virtual_ride},
        SourceCase{"e_bike_fitness", "", SportType::e_bike_ride}, SourceCase{"lap_swimming", "", SportType::swim},
        SourceCase{"open_water_swimming", "", SportType::open_water_swim}, SourceCase{"walking", "", SportType::walk},
        SourceCase{"hiking", "", SportType::hike}, SourceCase{"strength_training", "", SportType::strength_training},
        SourceCase{"yoga", "", SportType::yoga}, SourceCase{"elliptical", "", SportType::elliptical},
        SourceCase{"indoor_cardio", "", SportType::workout}, SourceCase{"rowing", "", SportType::rowing},
        SourceCase{"indoor_rowing", "", SportType::rowing}, SourceCase{"multi_sport", "", SportType::multisport},
        SourceCase{"resort_skiing_snowboarding_ws", "", SportType::alpine_ski},
        SourceCase{"cross_country_skiing_ws", "", SportType::cross_country_ski},
        SourceCase{"stand_up_paddleboarding", "", SportType::stand_up_paddling}));

INSTANTIATE_TEST_SUITE_P(
    GoogleHealthAndFitbit, SportFromSource,
    ::testing::Values(
        SourceCase{"RUNNING", "", SportType::run}, SourceCase{"WALKING", "", SportType::walk},
        SourceCase{"BIKING", "", SportType::ride}, SourceCase{"SWIMMING", "", SportType::swim},
        SourceCase{"HIKING", "", SportType::hike}, SourceCase{"WEIGHTLIFTING", "", SportType::strength_training},
        SourceCase{"STRENGTH_TRAINING", "", SportType::strength_training}, SourceCase{"YOGA", "", SportType::yoga},
        SourceCase{"PILATES", "", SportType::yoga}, SourceCase{"HIIT", "", SportType::workout},
        SourceCase{"WORKOUT", "", SportType::workout}, SourceCase{"ELLIPTICAL", "", SportType::elliptical},
        SourceCase{"OTHER", "", SportType::other}, SourceCase{"UNSPECIFIED", "", SportType::other},
        SourceCase{"EXERCISE_SESSION_TYPE_RUNNING_TREADMILL", "", SportType::treadmill_run},
        SourceCase{"EXERCISE_SESSION_TYPE_BIKING_STATIONARY", "", SportType::virtual_ride},
        SourceCase{"EXERCISE_SESSION_TYPE_SWIMMING_OPEN_WATER", "", SportType::open_water_swim},
        SourceCase{"EXERCISE_SESSION_TYPE_SWIMMING_POOL", "", SportType::swim},
        SourceCase{"EXERCISE_SESSION_TYPE_ROWING_MACHINE", "", SportType::rowing},
        SourceCase{"EXERCISE_TYPE_RUNNING", "", SportType::run}, SourceCase{"Outdoor Bike", "", SportType::ride},
        SourceCase{"Spinning", "", SportType::virtual_ride}, SourceCase{"Weights", "", SportType::strength_training},
        SourceCase{"Treadmill", "", SportType::treadmill_run}, SourceCase{"Aerobic Workout", "", SportType::workout}));

TEST(SportFamilies, PartitionTheSports) {
  const std::set<SportType> running{SportType::run, SportType::trail_run, SportType::treadmill_run};
  const std::set<SportType> cycling{SportType::ride, SportType::mountain_bike_ride, SportType::gravel_ride,
                                    SportType::virtual_ride, SportType::e_bike_ride};
  const std::set<SportType> swimming{SportType::swim, SportType::open_water_swim};
  for (int i = 0; i < kSportCount; ++i) {
    const auto s = static_cast<SportType>(i);
    EXPECT_EQ(act::is_running(s), running.contains(s)) << act::sport_name(s);
    EXPECT_EQ(act::is_cycling(s), cycling.contains(s)) << act::sport_name(s);
    EXPECT_EQ(act::is_swimming(s), swimming.contains(s)) << act::sport_name(s);
    EXPECT_LE(int{act::is_running(s)} + int{act::is_cycling(s)} + int{act::is_swimming(s)}, 1);
  }
  EXPECT_FALSE(act::is_running(SportType::walk));
  EXPECT_FALSE(act::is_cycling(SportType::other));
}

}  // namespace
