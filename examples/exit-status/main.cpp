// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Exit status and error codes: the app catches an error, logs it and sets its own exit code.
//
//   $ ./exit-status; echo $?
//   myapp: Caught Exception: the work could not be done
//   100
#include "myapp.h"

#include <mortar/app.h>

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    Mortar::App app(myAppOptions());
    // exec() sets the app up, runs the body, closes the app and returns the exit code; the
    // close's pre_close and post_close handlers run whatever the body did.
    return app.exec([&] { runMyApp(app); });
}
