// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar::Test; not part of the API.
#pragma once

#include <mortar/testing.h>

#include "rehearsal_p.h"

#include <optional>

namespace Mortar::Test {

class RehearsalReportData
{
public:
    QString label;
    int exitCode = 0;
    QString cause;
    QList<HandlerOutcome> results;
    QStringList neverRan;
    QStringList leaks;
    std::optional<Internal::RehearsedKill> kill;
};

/*! The report of \a app's rehearsed close, read from its trace from \a firstSeq on. */
std::shared_ptr<const RehearsalReportData>
buildReport(App &app, qint64 firstSeq, const std::optional<Internal::RehearsedKill> &kill);

} // namespace Mortar::Test
