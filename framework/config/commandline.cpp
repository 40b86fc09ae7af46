// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "commandline_p.h"

using namespace Qt::StringLiterals;

namespace Mortar::Internal {

namespace {
// The option names, shared by the parser and the early pass so the two cannot drift apart.
const QString debugName = u"debug"_s;
const QString quietName = u"quiet"_s;
const QString configName = u"config"_s;
const QString pluginName = u"plugin"_s;
const QString noPluginName = u"no-plugin"_s;
const QString inspectName = u"inspect"_s;
const QString traceName = u"trace"_s;
} // namespace

void addFrameworkOptions(QCommandLineParser &parser)
{
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
            {debugName, u"Log debug messages."_s},
            {quietName, u"Log nothing to the terminal."_s},
            {configName,
             u"Read the configuration file FILE after the standard ones "
             u"(repeatable; later files win)."_s,
             u"FILE"_s},
            {pluginName, u"Load the plugin NAME (repeatable)."_s, u"NAME"_s},
            {noPluginName,
             u"Do not load the plugin NAME, whatever the configuration says "
             u"(repeatable)."_s,
             u"NAME"_s},
            {inspectName, u"Let mortar-inspector attach to this process."_s},
            {traceName, u"Write the lifecycle trace to PATH (JSON Lines)."_s, u"PATH"_s},
    });
}

FrameworkOptions frameworkOptions(const QCommandLineParser &parser)
{
    FrameworkOptions options;
    options.help = parser.isSet(u"help"_s);
    options.version = parser.isSet(u"version"_s);
    options.debug = parser.isSet(debugName);
    options.quiet = parser.isSet(quietName);
    options.inspect = parser.isSet(inspectName);
    options.configFiles = parser.values(configName);
    options.plugins = parser.values(pluginName);
    options.noPlugins = parser.values(noPluginName);
    const QStringList traces = parser.values(traceName);
    if (!traces.isEmpty())
        options.traceFile = traces.constLast();
    return options;
}

FrameworkOptions scanFrameworkOptions(const QStringList &arguments)
{
    FrameworkOptions options;
    // Index 0 is the program name, as in QCommandLineParser::process().
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == u"--"_s)
            break;
        if (argument == u"-h"_s || argument == u"-?"_s || argument == u"--help"_s
            || argument == u"--help-all"_s) {
            options.help = true;
            continue;
        }
        if (argument == u"-v"_s || argument == u"--version"_s) {
            options.version = true;
            continue;
        }
        if (!argument.startsWith(u"--"_s))
            continue;

        const qsizetype equals = argument.indexOf(u'=');
        const QString name = argument.sliced(2, (equals < 0 ? argument.size() : equals) - 2);

        QStringList *list = nullptr;
        QString *single = nullptr;
        if (name == configName)
            list = &options.configFiles;
        else if (name == pluginName)
            list = &options.plugins;
        else if (name == noPluginName)
            list = &options.noPlugins;
        else if (name == traceName)
            single = &options.traceFile;

        if (!list && !single) {
            if (equals >= 0)
                continue; // an application option with its value, or a flag given one: not ours
            if (name == debugName)
                options.debug = true;
            else if (name == quietName)
                options.quiet = true;
            else if (name == inspectName)
                options.inspect = true;
            continue;
        }

        QString value;
        if (equals >= 0) {
            value = argument.sliced(equals + 1);
        } else if (i + 1 < arguments.size()) {
            // Like QCommandLineParser: the next argument is the value, whatever it looks like.
            value = arguments.at(++i);
        } else {
            options.errors.append(u"Missing value after '--%1'."_s.arg(name));
            continue;
        }
        if (list)
            list->append(value);
        else
            *single = value;
    }
    return options;
}

} // namespace Mortar::Internal
