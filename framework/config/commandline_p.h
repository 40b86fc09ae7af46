// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include <mortar/mortar_export.h>

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

namespace Mortar::Internal {

/*! The framework's own command-line options, as the early pass or the full parse found them. */
struct FrameworkOptions
{
    bool help = false;
    bool version = false;
    bool debug = false;
    bool quiet = false;
    bool inspect = false;
    QStringList configFiles = {}; //!< \c{--config FILE}, in order
    QStringList plugins = {};     //!< \c{--plugin NAME}, in order
    QStringList noPlugins = {};   //!< \c{--no-plugin NAME}, in order
    QString traceFile = {};       //!< \c{--trace PATH}; the last one wins
    QStringList errors = {};      //!< e.g. "Missing value after '--config'."

    friend bool operator==(const FrameworkOptions &, const FrameworkOptions &) = default;
};

/*!
    Adds the framework's options to \a parser: \c --help, \c --version (QCommandLineParser's
    own), \c --debug, \c --quiet, \c --config, \c --plugin, \c --no-plugin, \c --inspect,
    \c --trace. Plugins add theirs afterwards, in \c pre_argument_parsing.
*/
MORTAR_EXPORT void addFrameworkOptions(QCommandLineParser &parser);

/*! The framework's options from a \a parser that has parsed (after addFrameworkOptions()). */
MORTAR_EXPORT FrameworkOptions frameworkOptions(const QCommandLineParser &parser);

/*!
    The early pass: the framework's options found in \a arguments (program name first), before
    config and plugins load — they decide what loads, and the options plugins add are not
    known yet.

    QCommandLineParser has no mode that ignores unknown options (parse() stops being useful at
    the first one it does not know: unknownOptionNames() lists them, but the values of
    framework options after them are not read reliably, and an unknown option's value cannot
    be told from a positional argument). So this is a small scan of its own, following
    QCommandLineParser's syntax for long options:
    - \c{--config FILE} and \c{--config=FILE}; the last token without its value is an error;
    - flags (\c --debug …) exactly; \c -h, \c -? and \c -v as QCommandLineParser's help and
      version options;
    - \c -- ends the options: nothing after it is read;
    - everything else (the application's options, positional arguments) is skipped.
    One limit: the scan cannot know which of the application's own options take a value, so
    in \c{--output --debug} it reads \c --debug as the framework's flag where the full parse
    would read it as the value of \c --output; write \c{--output=--debug} there.
*/
MORTAR_EXPORT FrameworkOptions scanFrameworkOptions(const QStringList &arguments);

} // namespace Mortar::Internal
