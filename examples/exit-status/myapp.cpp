// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "myapp.h"

#include <mortar/app.h>

using namespace Qt::StringLiterals;

Mortar::AppOptions myAppOptions()
{
    return {.label = u"myapp"_s, .exitOnClose = true};
}

Mortar::AppOptions myTestAppOptions()
{
    // Ending the process from inside a test would take the test runner with it, so tests use
    // the same app with exitOnClose off (Cement's "disable exit on close in testing").
    Mortar::AppOptions options = myAppOptions();
    options.exitOnClose = false;
    return options;
}

static void doWork()
{
    throw SomeException("the work could not be done");
}

void runMyApp(Mortar::App &app)
{
    try {
        doWork();
    } catch (const SomeException &e) {
        // fatal() logs at critical level but does not abort: the app still closes in order, so
        // every pre_close and post_close handler runs before the process ends with 100.
        app.log().fatal(u"Caught Exception: %1"_s.arg(QString::fromUtf8(e.what())));
        app.setExitCode(100);
    }
}
