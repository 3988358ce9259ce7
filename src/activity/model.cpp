// Sport names and the mapping from every outside vocabulary we read into SportType.
//
// Vocabularies (matched case-insensitively, ignoring '_', '-', '.', spaces and other punctuation, so "trail_running",
// "TrailRun", "Trail Run" and "TRAIL_RUNNING" are all the same key):
//   - FIT profile `sport` / `sub_sport` enum names, and their numeric values as decimal strings (FIT SDK Profile.xlsx:
//     sport generic=0, running=1, cycling=2, transition=3, fitness_equipment=4, swimming=5, training=10, walking=11,
//     cross_country_skiing=12, alpine_skiing=13, snowboarding=14, rowing=15, mountaineering=16, hiking=17,
//     multisport=18, paddling=19, e_biking=21, stand_up_paddleboarding=37, kayaking=41, hiit=62; sub_sport
//     treadmill=1, street=2, trail=3, track=4, spin=5, indoor_cycling=6, road=7, mountain=8, downhill=9,
//     cyclocross=11, indoor_rowing=14, elliptical=15, lap_swimming=17, open_water=18, flexibility_training=19,
//     strength_training=20, e_bike_fitness=28, yoga=43, indoor_running=45, gravel_cycling=46, e_bike_mountain=47,
//     virtual_activity=58).
//   - TCX `Sport` attribute: Running, Biking, Other.
//   - GPX <type>: free words ("running", "Run", "cycling", "hiking", ...). Strava's GPX export writes numeric codes;
//     "9" is its code for a run. FIT's numeric sport 9 (american_football) would map to `other` anyway, so "9" → run
//     is unambiguous for us; "1" stays FIT's running (Strava's GPX "1" is a ride: a caller that knows the file came
//     from Strava should translate before calling).
//   - Strava API v3 `sport_type` and legacy `type` (Run, TrailRun, VirtualRun, Ride, MountainBikeRide, GravelRide,
//     EBikeRide, EMountainBikeRide, VirtualRide, Swim, Rowing, Kayaking, Canoeing, StandUpPaddling, NordicSki,
//     AlpineSki, BackcountrySki, RollerSki, Snowboard, WeightTraining, Crossfit, HighIntensityIntervalTraining,
//     Pilates, Yoga, Workout, Elliptical, StairStepper, Velomobile, Handcycle, Snowshoe, ...).
//   - Garmin Connect activityType typeKey (running, trail_running, treadmill_running, street_running, track_running,
//     indoor_running, virtual_run, cycling, road_biking, mountain_biking, gravel_cycling, indoor_cycling,
//     virtual_ride, cyclocross, e_bike_fitness, e_bike_mountain, lap_swimming, open_water_swimming, walking,
//     hiking, strength_training, yoga, pilates, elliptical, indoor_cardio, rowing, indoor_rowing,
//     stand_up_paddleboarding, resort_skiing_snowboarding, backcountry_skiing, cross_country_skiing_ws,
//     skate_skiing_ws, multi_sport, ...).
//   - Google Health API ExerciseType (RUNNING, WALKING, BIKING, SWIMMING, HIKING, WEIGHTLIFTING, STRENGTH_TRAINING,
//     YOGA, PILATES, HIIT, WORKOUT, OTHER), Health Connect EXERCISE_SESSION_TYPE_* / EXERCISE_TYPE_* names (the
//     prefix is dropped: RUNNING_TREADMILL, BIKING_STATIONARY, SWIMMING_POOL, SWIMMING_OPEN_WATER, ROWING_MACHINE,
//     ...), and Fitbit activity names (Run, Walk, Bike, Outdoor Bike, Spinning, Swim, Hike, Weights, Treadmill,
//     Elliptical, Aerobic Workout, ...).
#include "pierre/activity/model.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <utility>

namespace pierre::activity {

namespace {

struct NamedSport {
  std::string_view name;
  SportType sport;
};

constexpr auto kSportNames = std::to_array<NamedSport>({
    {"run", SportType::run},
    {"trail_run", SportType::trail_run},
    {"treadmill_run", SportType::treadmill_run},
    {"walk", SportType::walk},
    {"hike", SportType::hike},
    {"ride", SportType::ride},
    {"mountain_bike_ride", SportType::mountain_bike_ride},
    {"gravel_ride", SportType::gravel_ride},
    {"virtual_ride", SportType::virtual_ride},
    {"e_bike_ride", SportType::e_bike_ride},
    {"swim", SportType::swim},
    {"open_water_swim", SportType::open_water_swim},
    {"rowing", SportType::rowing},
    {"kayaking", SportType::kayaking},
    {"stand_up_paddling", SportType::stand_up_paddling},
    {"cross_country_ski", SportType::cross_country_ski},
    {"alpine_ski", SportType::alpine_ski},
    {"snowboard", SportType::snowboard},
    {"strength_training", SportType::strength_training},
    {"yoga", SportType::yoga},
    {"workout", SportType::workout},
    {"elliptical", SportType::elliptical},
    {"multisport", SportType::multisport},
    {"transition", SportType::transition},
    {"other", SportType::other},
});

// Keys are lower-case ASCII letters and digits only (see compact()).
constexpr auto kSourceWords = std::to_array<NamedSport>({
    // Running family.
    {"run", SportType::run},
    {"running", SportType::run},
    {"streetrunning", SportType::run},
    {"trackrunning", SportType::run},
    {"roadrunning", SportType::run},
    {"runningjogging", SportType::run},
    {"jogging", SportType::run},
    {"runningsand", SportType::run},
    {"obstaclerun", SportType::run},
    {"ultrarun", SportType::run},
    {"trailrun", SportType::trail_run},
    {"trailrunning", SportType::trail_run},
    {"treadmillrun", SportType::treadmill_run},
    {"treadmillrunning", SportType::treadmill_run},
    {"treadmill", SportType::treadmill_run},
    {"runningtreadmill", SportType::treadmill_run},
    {"indoorrunning", SportType::treadmill_run},
    {"indoorrun", SportType::treadmill_run},
    {"virtualrun", SportType::treadmill_run},
    // Walking and hiking.
    {"walk", SportType::walk},
    {"walking", SportType::walk},
    {"casualwalking", SportType::walk},
    {"speedwalking", SportType::walk},
    {"indoorwalking", SportType::walk},
    {"walkingtreadmill", SportType::walk},
    {"walkingfitness", SportType::walk},
    {"nordicwalking", SportType::walk},
    {"powerwalking", SportType::walk},
    {"hike", SportType::hike},
    {"hiking", SportType::hike},
    {"mountaineering", SportType::hike},
    {"snowshoe", SportType::hike},
    {"snowshoeing", SportType::hike},
    {"snowshoeingws", SportType::hike},
    // Cycling family.
    {"ride", SportType::ride},
    {"cycling", SportType::ride},
    {"biking", SportType::ride},
    {"bike", SportType::ride},
    {"outdoorbike", SportType::ride},
    {"roadbiking", SportType::ride},
    {"roadcycling", SportType::ride},
    {"bikingroad", SportType::ride},
    {"bikingutility", SportType::ride},
    {"bikecommute", SportType::ride},
    {"trackcycling", SportType::ride},
    {"recumbentcycling", SportType::ride},
    {"handcycle", SportType::ride},
    {"handcycling", SportType::ride},
    {"velomobile", SportType::ride},
    {"bmx", SportType::ride},
    {"mountainbikeride", SportType::mountain_bike_ride},
    {"mountainbiking", SportType::mountain_bike_ride},
    {"mountainbike", SportType::mountain_bike_ride},
    {"bikingmountain", SportType::mountain_bike_ride},
    {"downhillbiking", SportType::mountain_bike_ride},
    {"enduromtb", SportType::mountain_bike_ride},
    {"gravelride", SportType::gravel_ride},
    {"gravelcycling", SportType::gravel_ride},
    {"gravelbiking", SportType::gravel_ride},
    {"cyclocross", SportType::gravel_ride},
    {"virtualride", SportType::virtual_ride},
    {"indoorcycling", SportType::virtual_ride},
    {"indoorbiking", SportType::virtual_ride},
    {"bikingstationary", SportType::virtual_ride},
    {"bikingspinning", SportType::virtual_ride},
    {"stationarybiking", SportType::virtual_ride},
    {"spinning", SportType::virtual_ride},
    {"spin", SportType::virtual_ride},
    {"ebikeride", SportType::e_bike_ride},
    {"emountainbikeride", SportType::e_bike_ride},
    {"ebiking", SportType::e_bike_ride},
    {"ebike", SportType::e_bike_ride},
    {"ebikefitness", SportType::e_bike_ride},
    {"ebikemountain", SportType::e_bike_ride},
    // Swimming.
    {"swim", SportType::swim},
    {"swimming", SportType::swim},
    {"lapswimming", SportType::swim},
    {"poolswim", SportType::swim},
    {"poolswimming", SportType::swim},
    {"swimmingpool", SportType::swim},
    {"openwaterswim", SportType::open_water_swim},
    {"openwaterswimming", SportType::open_water_swim},
    {"swimmingopenwater", SportType::open_water_swim},
    {"openwater", SportType::open_water_swim},
    // Water.
    {"rowing", SportType::rowing},
    {"rower", SportType::rowing},
    {"indoorrowing", SportType::rowing},
    {"rowingmachine", SportType::rowing},
    {"kayaking", SportType::kayaking},
    {"kayak", SportType::kayaking},
    {"canoeing", SportType::kayaking},
    {"paddling", SportType::kayaking},
    {"whitewaterkayakingrafting", SportType::kayaking},
    {"standuppaddling", SportType::stand_up_paddling},
    {"standuppaddleboarding", SportType::stand_up_paddling},
    {"paddleboarding", SportType::stand_up_paddling},
    {"sup", SportType::stand_up_paddling},
    // Snow.
    {"nordicski", SportType::cross_country_ski},
    {"crosscountryskiing", SportType::cross_country_ski},
    {"crosscountryskiingws", SportType::cross_country_ski},
    {"skateskiing", SportType::cross_country_ski},
    {"skateskiingws", SportType::cross_country_ski},
    {"skiingcrosscountry", SportType::cross_country_ski},
    {"backcountryski", SportType::cross_country_ski},
    {"backcountryskiing", SportType::cross_country_ski},
    {"backcountryskiingsnowboardingws", SportType::cross_country_ski},
    {"rollerski", SportType::cross_country_ski},
    {"alpineski", SportType::alpine_ski},
    {"alpineskiing", SportType::alpine_ski},
    {"skiing", SportType::alpine_ski},
    {"skiingdownhill", SportType::alpine_ski},
    {"downhillskiing", SportType::alpine_ski},
    {"resortskiing", SportType::alpine_ski},
    {"resortskiingsnowboarding", SportType::alpine_ski},
    {"resortskiingsnowboardingws", SportType::alpine_ski},
    {"snowboard", SportType::snowboard},
    {"snowboarding", SportType::snowboard},
    {"resortsnowboarding", SportType::snowboard},
    // Gym.
    {"weighttraining", SportType::strength_training},
    {"strengthtraining", SportType::strength_training},
    {"weightlifting", SportType::strength_training},
    {"weights", SportType::strength_training},
    {"calisthenics", SportType::strength_training},
    {"yoga", SportType::yoga},
    {"pilates", SportType::yoga},
    {"flexibilitytraining", SportType::yoga},
    {"stretching", SportType::yoga},
    {"workout", SportType::workout},
    {"training", SportType::workout},
    {"fitnessequipment", SportType::workout},
    {"crossfit", SportType::workout},
    {"hiit", SportType::workout},
    {"highintensityintervaltraining", SportType::workout},
    {"cardiotraining", SportType::workout},
    {"indoorcardio", SportType::workout},
    {"aerobicworkout", SportType::workout},
    {"circuittraining", SportType::workout},
    {"bootcamp", SportType::workout},
    {"exerciseclass", SportType::workout},
    {"stairstepper", SportType::workout},
    {"stairclimbing", SportType::workout},
    {"elliptical", SportType::elliptical},
    // Multisport.
    {"multisport", SportType::multisport},
    {"triathlon", SportType::multisport},
    {"duathlon", SportType::multisport},
    {"transition", SportType::transition},
    {"transitionv2", SportType::transition},
});

// FIT profile `sport` numeric values (the ones we distinguish), plus Strava GPX's "9" (see the file comment).
struct NumberedSport {
  int number;
  SportType sport;
};
constexpr auto kFitSportNumbers = std::to_array<NumberedSport>({
    {0, SportType::other},       {1, SportType::run},          {2, SportType::ride},
    {3, SportType::transition},  {4, SportType::workout},      {5, SportType::swim},
    {9, SportType::run},  // Strava GPX export's code for Run (FIT 9 is american_football → other)
    {10, SportType::workout},    {11, SportType::walk},        {12, SportType::cross_country_ski},
    {13, SportType::alpine_ski}, {14, SportType::snowboard},   {15, SportType::rowing},
    {16, SportType::hike},       {17, SportType::hike},        {18, SportType::multisport},
    {19, SportType::kayaking},   {21, SportType::e_bike_ride}, {37, SportType::stand_up_paddling},
    {41, SportType::kayaking},   {62, SportType::workout},
});

// FIT profile `sub_sport` numeric values → their enum names (only the ones that refine a sport).
struct NumberedWord {
  int number;
  std::string_view word;
};
constexpr auto kFitSubSportNumbers = std::to_array<NumberedWord>({
    {1, "treadmill"},
    {2, "street"},
    {3, "trail"},
    {4, "track"},
    {5, "spin"},
    {6, "indoorcycling"},
    {7, "road"},
    {8, "mountain"},
    {9, "downhill"},
    {11, "cyclocross"},
    {14, "indoorrowing"},
    {15, "elliptical"},
    {16, "stairclimbing"},
    {17, "lapswimming"},
    {18, "openwater"},
    {19, "flexibilitytraining"},
    {20, "strengthtraining"},
    {26, "cardiotraining"},
    {28, "ebikefitness"},
    {32, "biketoruntransition"},
    {33, "runtobiketransition"},
    {34, "swimtobiketransition"},
    {43, "yoga"},
    {44, "pilates"},
    {45, "indoorrunning"},
    {46, "gravelcycling"},
    {58, "virtualactivity"},
});
// e_bike_mountain (47) handled below alongside the table to keep the table short.

// Lower-case ASCII letters and digits, everything else dropped; well-known prefixes removed.
std::string compact(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out.push_back(c);
    }
  }
  for (const std::string_view prefix : {std::string_view{"exercisesessiontype"}, std::string_view{"exercisetype"}}) {
    if (out.size() > prefix.size() && out.starts_with(prefix)) {
      out.erase(0, prefix.size());
      break;
    }
  }
  return out;
}

std::optional<int> parse_number(std::string_view digits) {
  if (digits.empty() || digits.size() > 4) return std::nullopt;
  int value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<SportType> lookup_word(const std::string& key) {
  for (const auto& entry : kSourceWords) {
    if (entry.name == key) return entry.sport;
  }
  return std::nullopt;
}

SportType base_sport(const std::string& key) {
  if (key.empty()) return SportType::other;
  if (const auto number = parse_number(key)) {
    for (const auto& entry : kFitSportNumbers) {
      if (entry.number == *number) return entry.sport;
    }
    return SportType::other;
  }
  return lookup_word(key).value_or(SportType::other);
}

std::string sub_sport_key(std::string_view sub_sport) {
  std::string key = compact(sub_sport);
  if (const auto number = parse_number(key)) {
    if (*number == 47) return "ebikemountain";
    for (const auto& entry : kFitSubSportNumbers) {
      if (entry.number == *number) return std::string{entry.word};
    }
    return {};
  }
  return key;
}

// A sub_sport narrows the sport. Words that only make sense for one family refine only that family (or a generic
// sport); words that name a whole activity (yoga, open_water, ...) decide on their own.
std::optional<SportType> refine(SportType base, const std::string& sub) {
  const bool generic = base == SportType::other || base == SportType::workout;
  const bool running = is_running(base) || generic;
  const bool cycling = is_cycling(base) || generic;
  if (sub == "trail") {
    if (running) return SportType::trail_run;
    return std::nullopt;
  }
  if (sub == "treadmill" || sub == "indoorrunning") {
    if (running) return SportType::treadmill_run;
    return std::nullopt;
  }
  if (sub == "street" || sub == "track") {
    if (running) return SportType::run;
    return std::nullopt;
  }
  if (sub == "road" || sub == "trackcycling" || sub == "recumbent" || sub == "handcycling" || sub == "commuting") {
    if (cycling) return SportType::ride;
    return std::nullopt;
  }
  if (sub == "indoorcycling" || sub == "spin") {
    if (cycling) return SportType::virtual_ride;
    return std::nullopt;
  }
  if (sub == "virtualactivity") {
    if (is_running(base)) return SportType::treadmill_run;
    if (cycling) return SportType::virtual_ride;
    return std::nullopt;
  }
  if (sub == "mountain" || sub == "downhill") {
    if (cycling) return SportType::mountain_bike_ride;
    return std::nullopt;
  }
  if (sub == "gravelcycling" || sub == "cyclocross") {
    if (cycling) return SportType::gravel_ride;
    return std::nullopt;
  }
  if (sub == "ebikefitness" || sub == "ebikemountain") return SportType::e_bike_ride;
  if (sub == "openwater") return SportType::open_water_swim;
  if (sub == "lapswimming") return SportType::swim;
  if (sub == "strengthtraining") return SportType::strength_training;
  if (sub == "yoga" || sub == "pilates" || sub == "flexibilitytraining") return SportType::yoga;
  if (sub == "elliptical") return SportType::elliptical;
  if (sub == "indoorrowing") return SportType::rowing;
  if (sub == "stairclimbing" || sub == "cardiotraining") return SportType::workout;
  if (sub == "biketoruntransition" || sub == "runtobiketransition" || sub == "swimtobiketransition") {
    return SportType::transition;
  }
  if (sub == "indoorwalking" || sub == "casualwalking" || sub == "speedwalking") {
    if (base == SportType::walk || generic) return SportType::walk;
    return std::nullopt;
  }
  if (sub == "backcountry" || sub == "skateskiing") {
    if (base == SportType::cross_country_ski || base == SportType::alpine_ski) return SportType::cross_country_ski;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string_view sport_name(SportType sport) noexcept {
  for (const auto& entry : kSportNames) {
    if (entry.sport == sport) return entry.name;
  }
  return "other";
}

std::optional<SportType> sport_from_name(std::string_view name) noexcept {
  for (const auto& entry : kSportNames) {
    if (entry.name == name) return entry.sport;
  }
  return std::nullopt;
}

SportType sport_from_source(std::string_view sport, std::string_view sub_sport) noexcept {
  try {
    const SportType base = base_sport(compact(sport));
    if (sub_sport.empty()) return base;
    const std::string sub = sub_sport_key(sub_sport);
    if (sub.empty() || sub == "generic" || sub == "all") return base;
    if (const auto refined = refine(base, sub)) return *refined;
    return base;
  } catch (...) {  // std::bad_alloc from the small key strings
    return SportType::other;
  }
}

bool is_running(SportType s) noexcept {
  return s == SportType::run || s == SportType::trail_run || s == SportType::treadmill_run;
}

bool is_cycling(SportType s) noexcept {
  return s == SportType::ride || s == SportType::mountain_bike_ride || s == SportType::gravel_ride ||
         s == SportType::virtual_ride || s == SportType::e_bike_ride;
}

bool is_swimming(SportType s) noexcept {
  return s == SportType::swim || s == SportType::open_water_swim;
}

}  // namespace pierre::activity
