// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Mortar::Test::options(): AppOptions that keep a test away from the developer's own files.
#include <mortar/testing.h>

#include <QCoreApplication>
#include <QRandomGenerator>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace Mortar::Test {

AppOptions options(const QString &label)
{
    // Qt's own isolation for tests: the user's config, data and state directories become Qt's
    // test ones (~/.qttest), so no user plugin, config file or black box of the developer's is
    // read or written.
    QStandardPaths::setTestModeEnabled(true);
    AppOptions options;
    options.label = label.isEmpty()
            ? u"test-%1"_s.arg(QRandomGenerator::global()->generate64(), 0, 36)
            : label;
    // The QTest's own command line (-v2, test function names) is not the App's.
    const QString program =
            QCoreApplication::instance() ? QCoreApplication::applicationFilePath() : u"test"_s;
    options.arguments = {program};
    options.exitOnClose = false;
    options.catchSignals = {};
    options.blackBox = false;
    // Only the user's file (in the test directory, where a test may write one): never the
    // system-wide /etc/<label>/<label>.conf.
    options.configFiles = {QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
                           + u"/%1/%1.conf"_s.arg(options.label)};
    return options;
}

} // namespace Mortar::Test
