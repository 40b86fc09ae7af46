// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The steps of App::setup() that bring in what the user configured: config files, extensions,
// plugins and the command line (spec §7, §8). The order is App::setup()'s.
#include "app_p.h"
#include "extension_p.h"

#include <QCoreApplication>
#include <QJsonArray>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace Mortar::Internal {

namespace {

// "a, b" reads as a list, "a" as a string, "" as nothing.
QStringList listValue(const QVariant &value)
{
    QStringList items = value.typeId() == QMetaType::QStringList
            ? value.toStringList()
            : value.toString().split(u',', Qt::SkipEmptyParts);
    for (QString &item : items)
        item = item.trimmed();
    items.removeAll(QString());
    return items;
}

void writeTo(FILE *stream, const QString &text)
{
    std::fputs(qPrintable(text), stream);
    std::fflush(stream);
}

} // namespace

Result AppPrivate::readConfig()
{
    const QStringList files = options.configFiles.isEmpty() ? Config::standardFiles(options.label)
                                                            : options.configFiles;
    if (const Result loaded = config->load(files, options.configDefaults); !loaded)
        return loaded;
    for (const QString &file : std::as_const(early.configFiles)) {
        if (const Result added = config->addFile(file, Config::IfMissing::Fail); !added)
            return added;
    }
    record(u"config.loaded"_s, {{u"files"_s, QJsonArray::fromStringList(config->files())}});

    if (const QString logFile = config->value(u"log/file"_s).toString(); !logFile.isEmpty()) {
        if (const Result opened = logOutput.openFile(logFile); !opened) {
            return Result::failure(u"%1 (set by [log] file in %2)"_s.arg(
                    opened.errorString(), config->sourceOf(u"log/file"_s)));
        }
    }
    return Result::success();
}

Result AppPrivate::loadExtensions()
{
    auto *registry = ExtensionRegistryPrivate::get(*extensions);
    if (const Result loaded = registry->loadAll(options.extensions, u"AppOptions::extensions"_s);
        !loaded)
        return loaded;
    const QString key = options.label + u"/extensions"_s;
    const QStringList named = listValue(config->value(key));
    if (named.isEmpty())
        return Result::success();
    const QString file = config->sourceOf(key);
    if (const Result loaded = registry->loadAll(named, file); !loaded)
        return Result::failure(u"%1 (named by [%2] extensions in %3)"_s.arg(loaded.errorString(),
                                                                            options.label, file));
    return Result::success();
}

Result AppPrivate::loadPlugins()
{
    plugins->discover(PluginManager::searchPath(
            options.pluginDirs, qEnvironmentVariable("MORTAR_PLUGIN_PATH"), options.label));
    PluginSelection selection;
    selection.required = options.plugins;
    selection.enabled = early.plugins;
    selection.disabled = early.noPlugins;
    if (const Result read = PluginManager::readConfig(*config, selection); !read)
        return read;
    return plugins->load(selection);
}

AppPrivate::ParseOutcome AppPrivate::parseCommandLine(QString *error)
{
    hooks->run(u"pre_argument_parsing"_s);
    if (state >= App::State::Closing)
        return ParseOutcome::Answered; // a handler closed the App

    if (!commandLine.parse(arguments)) {
        *error = commandLine.errorText();
        return ParseOutcome::Failed;
    }
    // --help-all too: the App's command line has no Qt options to add to the help.
    if (commandLine.isSet(u"help"_s) || commandLine.isSet(u"help-all"_s)) {
        writeTo(stdout, commandLine.helpText());
        record(u"commandLine.answered"_s, {{u"option"_s, u"--help"_s}});
        return ParseOutcome::Answered;
    }
    if (commandLine.isSet(u"version"_s)) {
        const QString version = QCoreApplication::applicationVersion();
        writeTo(stdout,
                u"%1 %2\n"_s.arg(QCoreApplication::applicationName(),
                                 version.isEmpty() ? u"(no version set)"_s : version));
        record(u"commandLine.answered"_s, {{u"option"_s, u"--version"_s}});
        return ParseOutcome::Answered;
    }
    hooks->run(u"post_argument_parsing"_s);
    return ParseOutcome::Continue;
}

} // namespace Mortar::Internal
