// A person's contribution to every metric cell (cells.h), computed from their
// whole history by the definitions of SPEC.md "Outcome metrics". A pure
// function of the history: recomputing it after every event and applying the
// difference keeps totals right under late events, retractions and moves
// between areas. Open items (a delay still running, a package still open) are
// cells of their own whose days are counted at query time.
#pragma once

#include "services/metrics/cell_keys.h"
#include "services/metrics/cells.h"
#include "services/metrics/person_history.h"

namespace carelog::metrics {

CellList ContributionCells(const PersonHistory& history);
// The same keyed by the cells' strings (for tests).
Cells ComputeContribution(const PersonHistory& history);

// The step a person's contribution takes when their latest recorded event was
// folded onto the end of their timeline (PersonState::Extend without a refold)
// and is of a kind that only adds cells of its own (A&E attendances,
// admissions, surveys, non-urgent referrals, assessments started, local ids,
// and a registration that is the only effective event):
// then true, and `delta` = ComputeContribution(after) - `before`, where
// `before` is the contribution of `after` without that event. False when the
// event is not such a one; the caller then recomputes from the history.
bool AppendedEventDelta(const PersonState& after, const CellList& before,
                        CellList& delta);
// The same keyed by the cells' strings (for tests).
bool AppendedEventDelta(const PersonState& after, const Cells& before,
                        Cells& delta);

// Moves `contribution` (the person's before their latest event was folded
// into `after`) to theirs after it, and sets `delta` to the difference: by
// AppendedEventDelta where it answers, else by recomputing from the history.
// The live projection and the rebuild both step this way, so their rows agree.
void StepContribution(const PersonState& after, CellList& contribution,
                      CellList& delta);

// Parts of ContributionCells.
void AddDelayedDays(const PersonHistory& history, CellListBuilder& cells);
void AddPackageCoverage(const PersonHistory& history, CellListBuilder& cells);

// The first date on which someone born on `birth` is aged `years` or more.
Date BirthdayOfAge(Date birth, int years);

inline constexpr Instant kMicrosPerDay = 86'400'000'000;

}  // namespace carelog::metrics
