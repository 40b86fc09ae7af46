// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/appoptions.h>

#include <stdexcept>

namespace Mortar {
class App;
}

/*! \brief What doWork() throws when it cannot do its work. */
class SomeException : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/*! The app's options in production: when the app closes, the process ends with its exit code. */
Mortar::AppOptions myAppOptions();

/*! The same app for tests: closing it must not end the test process. */
Mortar::AppOptions myTestAppOptions();

/*! The app's body: does the work, and turns a SomeException into a log line and exit code 100. */
void runMyApp(Mortar::App &app);
