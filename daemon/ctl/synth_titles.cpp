#include "daemon/ctl/synth_titles.h"

#include <algorithm>

namespace bahed::ctl {
namespace {

constexpr const char* kAdjectives[] = {
    "Silent", "Last", "Broken", "Golden", "Hidden", "Dark", "Lost", "Secret", "Wild", "Crimson", "Eternal",
    "Forgotten", "Final", "Burning", "Frozen", "Midnight", "Restless", "Savage", "Sweet", "Bitter", "Electric",
    "Invisible", "Lonely", "Perfect", "Dangerous", "Endless", "Fallen", "Hollow", "Lucky", "Mad", "Quiet", "Red",
    "Blue", "Black", "White", "Little", "Big", "Strange", "Sudden", "Deadly", "Brave", "Gentle", "Wicked",
    "Shining", "Distant", "Sacred", "Crooked", "Faithful", "Reckless", "Velvet", "Iron", "Glass", "Paper",
    "Stolen", "Naked", "Fearless", "Tender", "Howling", "Rising", "Northern", "Southern", "Empty", "Infinite",
    "Scarlet"};
constexpr const char* kNouns[] = {
    "Heart", "River", "Night", "City", "Garden", "Road", "Shadow", "Kingdom", "Storm", "Dream", "Mirror",
    "Stranger", "Promise", "Island", "Empire", "Witness", "Harbor", "Bridge", "Summer", "Winter", "Journey",
    "Voyage", "Game", "Hunter", "Angel", "Ghost", "Soldier", "Detective", "Dancer", "Thief", "Prince", "Queen",
    "Knight", "Sky", "Moon", "Sun", "Star", "Fire", "Ocean", "Desert", "Forest", "Mountain", "Valley", "Train",
    "Highway", "Hotel", "House", "Castle", "Tower", "Letter", "Legend", "Machine", "Planet", "Frontier",
    "Horizon", "Code", "Circle", "Wolf", "Tiger", "Falcon", "Serpent", "Rose", "Crown", "Sword", "Diamond",
    "Echo", "Memory", "Silence", "Truth", "Affair", "Escape", "Return", "Revenge", "Alibi", "Verdict",
    "Conspiracy", "Paradise", "Outlaw", "Carnival", "Lullaby"};
constexpr const char* kNames[] = {
    "Johnny", "Annie", "Max", "Rosa", "Frankie", "Eddie", "Lola", "Charlie", "Sam", "Molly", "Harry", "Vera",
    "Otto", "Stella", "Jack", "Lucy", "Vincent", "Clara", "Walter", "Ruby", "Felix", "Hazel", "Leo", "Mabel",
    "Oscar", "Iris", "Hank", "Greta", "Buster", "June", "Marty", "Dolores", "Gus", "Nina", "Ray", "Edith"};
constexpr const char* kPlaces[] = {
    "Paris", "Memphis", "Berlin", "Tokyo", "Brooklyn", "Texas", "Chicago", "Vienna", "Havana", "Casablanca",
    "Manhattan", "Rome", "Alaska", "Malibu", "Shanghai", "Cairo", "Dublin", "Bombay", "Hollywood", "Montana",
    "Venice", "Harlem", "Santa Fe", "Tangier", "Moscow", "Nevada", "Kansas", "Sicily", "Marseille", "Baltimore"};

template <size_t N>
std::string pick(SynthRng& rng, const char* const (&words)[N]) {
  return words[rng.below(N)];
}

}  // namespace

std::string TitleMaker::make(SynthRng& rng) {
  constexpr int kAttempts = 8;
  std::string title;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    title = draw(rng, attempt < 2 ? kNumPatterns : kNumLongPatterns);
    if (used_.insert(title).second) return title;
  }
  for (int& n = sequels_[title];;) {
    const std::string sequel = title + " " + std::to_string((n = std::max(n, 1) + 1));
    if (used_.insert(sequel).second) return sequel;
  }
}

std::string TitleMaker::draw(SynthRng& rng, uint64_t n_patterns) {
  switch (rng.below(n_patterns)) {
    case 0: return "The " + pick(rng, kAdjectives) + " " + pick(rng, kNouns) + " of " + pick(rng, kPlaces);
    case 1: return pick(rng, kNames) + " and the " + pick(rng, kAdjectives) + " " + pick(rng, kNouns);
    case 2: return "The " + pick(rng, kAdjectives) + " " + pick(rng, kNouns) + " of the " + pick(rng, kNouns);
    case 3: return pick(rng, kNames) + "'s " + pick(rng, kAdjectives) + " " + pick(rng, kNouns);
    case 4: return "The " + pick(rng, kAdjectives) + " " + pick(rng, kNouns);
    case 5: return pick(rng, kNouns) + " of the " + pick(rng, kNouns);
    case 6: return pick(rng, kNames) + "'s " + pick(rng, kNouns);
    case 7: return "The " + pick(rng, kNouns) + " from " + pick(rng, kPlaces);
    case 8: return pick(rng, kAdjectives) + " in " + pick(rng, kPlaces);
    default: return pick(rng, kNouns) + " in " + pick(rng, kPlaces);
  }
}

}  // namespace bahed::ctl
