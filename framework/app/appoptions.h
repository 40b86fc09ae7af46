// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/handler.h>

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <chrono>
#include <csignal>

namespace Mortar {

/*!
    \brief A handler to register when the App is built (AppOptions::hooks).

    If \c hook is not defined yet, the binding is retried after extensions and plugins loaded
    (they may define it); still undefined then, setup() fails naming it.
*/
struct HookBinding
{
    QString hook = {};
    Handler handler = {};
    HandlerOptions options = {};
};

/*!
    \brief How an App behaves: the counterpart of Cement's \c Meta.

    Fields are declared in this order so designated initializers work:
    \code
    Mortar::App app({.label = u"myapp"_s, .exitOnClose = true});
    \endcode
*/
struct AppOptions
{
    /*! Required, \c{[A-Za-z0-9_-]+}: names the config section, log category and runtime files. */
    QString label = {};
    /*! The command line; empty means QCoreApplication::arguments(). */
    QStringList arguments = {};
    /*! After the close, end the process with exitCode() (inside exec(): exec() returns it). */
    bool exitOnClose = false;
    /*! Unix signals turned into an orderly close; empty for none. */
    QList<int> catchSignals = {SIGTERM, SIGINT, SIGHUP};
    /*! Budget for the whole close; past it the watchdog ends the process. Zero: no budget. */
    std::chrono::milliseconds closeTimeout = std::chrono::seconds(30);
    /*! Default deadline for one handler's asynchronous work. */
    std::chrono::milliseconds handlerTimeout = std::chrono::seconds(5);
    /*! Exit code when the watchdog ends the process. */
    int timeoutExitCode = 124;
    /*! Extra hook names defined at construction. */
    QStringList defineHooks = {};
    /*! Handlers registered at construction (or after extensions and plugins loaded). */
    QList<HookBinding> hooks = {};
    /*! Compiled-in extensions to load. */
    QStringList extensions = {};
    /*! Plugins that must load. */
    QStringList plugins = {};
    /*! Searched for plugins before the default directories. */
    QStringList pluginDirs = {};
    /*! INI files read in order, later wins; empty means the standard paths. */
    QStringList configFiles = {};
    /*! \c{"section/key"} → value, underneath every config file. */
    QVariantMap configDefaults = {};
    /*! Open the inspection server (also \c MORTAR_INSPECT=1 or \c --inspect). */
    bool inspect = false;
    /*! Write the trace as JSON Lines here (also \c MORTAR_TRACE=path). */
    QString traceFile = {};
    /*! Keep this run's lifecycle trace in <state dir>/<label>/last-run.jsonl, for a post mortem
        at the next start (App::lastRun()); Mortar::Test::options() turns it off. */
    bool blackBox = true;
};

} // namespace Mortar
