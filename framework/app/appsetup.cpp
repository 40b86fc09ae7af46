// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// App::setup() (spec §2.3) and its steps that bring in what the user configured: config files,
// extensions, plugins and the command line (spec §7, §8); and how setup fails.
#include <mortar/app.h>

#include "app_p.h"
#include "exitcodes_p.h"
#include "extension_p.h"
#include "inspectionserver_p.h"
#include "loggingcategories_p.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>

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

Result AppPrivate::failUsage(const QString &why)
{
    // As command-line programs do (and QCommandLineParser::process()), whatever --quiet says.
    const QString program = QCoreApplication::applicationName();
    std::fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", qPrintable(program),
                 qPrintable(why), qPrintable(program));
    std::fflush(stderr);
    return failSetup(why, ExitRule::UsageError, true);
}

Result AppPrivate::failSetup(const QString &why, ExitCodeRule rule, bool logged)
{
    if (!logged)
        log->error(why);
    record(u"setup.failed"_s, {}, rule.code, why);
    setupResult = Result::failure(why);
    applyExitCodeRule(rule);
    close(std::nullopt, CloseCause::SetupFailed);
    return setupResult;
}

} // namespace Mortar::Internal

namespace Mortar {

Result App::setup()
{
    if (d->setupStarted)
        return d->setupResult;
    d->setupStarted = true;
    // First of all, before any extension or plugin loads: a signal or a crash from here on
    // ends in an orderly close or the emergency cleanup (spec §5).
    d->installSignalHandlers();
    d->setState(State::SettingUp);

    static const QRegularExpression validLabel(u"^[A-Za-z0-9_-]+$"_s);
    if (d->options.label.isEmpty())
        return d->failSetup(u"Invalid App label: it is empty; AppOptions::label is required"_s);
    if (!validLabel.match(d->options.label).hasMatch()) {
        return d->failSetup(u"Invalid App label '%1': use only letters, digits, '_' and '-'"_s.arg(
                d->options.label));
    }
    if (!d->constructionError.isEmpty())
        return d->failSetup(d->constructionError);

    if (!d->early.errors.isEmpty())
        return d->failUsage(d->early.errors.constFirst());

    // First, so that an inspector sees the whole setup live (it gets the backlog anyway).
    if (d->options.inspect || d->early.inspect
        || qEnvironmentVariableIntValue("MORTAR_INSPECT") == 1) {
        d->inspection = std::make_unique<Internal::InspectionServer>(*this);
        // A launching inspector hands its token over; otherwise the server makes one. Read
        // once and removed, so that the app's children do not inherit it (spec §10.1).
        const QString token = qEnvironmentVariable("MORTAR_INSPECT_TOKEN");
        qunsetenv("MORTAR_INSPECT_TOKEN");
        const Result listening = d->inspection->listen(token);
        if (!listening)
            return d->failSetup(listening.errorString());
        // Queued: the request arrives inside the server's socket handling, which the close's
        // nested event loops (and quit_requested's dialogs) must not re-enter. A quit request
        // (spec §4.7): quit_requested may veto it.
        connect(
                d->inspection.get(), &Internal::InspectionServer::closeRequested, this,
                [this] {
                    if (d->state >= State::Closing) {
                        d->record(u"close.repeated"_s, {{u"cause"_s, u"inspector"_s}});
                        return;
                    }
                    if (d->requestQuit(Internal::CloseCause::Inspector, std::nullopt))
                        d->close(std::nullopt, Internal::CloseCause::Inspector);
                },
                Qt::QueuedConnection);
    }

    d->hooks->run(u"pre_setup"_s);

    // The config is read before the extensions load, although it comes second in SPEC §2.3's
    // list: the config names extensions ([<label>] extensions=) and configures them
    // ([pidfile] path), and reading it has no other effect. See docs/plugins.md.
    if (const Result read = d->readConfig(); !read)
        return d->failSetup(read.errorString());
    if (const Result loaded = d->loadExtensions(); !loaded)
        return d->failSetup(loaded.errorString());
    if (const Result loaded = d->loadPlugins(); !loaded)
        return d->failSetup(loaded.errorString());
    d->registerBindings(false, nullptr); // hooks that extensions and plugins defined

    QString usageError;
    switch (d->parseCommandLine(&usageError)) {
    case Internal::AppPrivate::ParseOutcome::Continue: break;
    case Internal::AppPrivate::ParseOutcome::Failed: return d->failUsage(usageError);
    case Internal::AppPrivate::ParseOutcome::Answered:
        // --help or --version: answered, and the App ends through its normal close with 0.
        // setup() still fails, so that code checking it does not go on to run.
        d->setupResult = Result::failure(u"The command line was answered (--help or --version); "
                                         u"the App closed"_s);
        d->close(std::nullopt, Internal::CloseCause::CommandLine);
        return d->setupResult;
    }

    QStringList undefined;
    d->registerBindings(true, &undefined);
    if (!undefined.isEmpty()) {
        return d->failSetup(u"AppOptions::hooks names hooks that no one defined: %1"_s.arg(
                undefined.join(u", "_s)));
    }

    d->hooks->run(u"post_setup"_s);
    if (d->state == State::SettingUp)
        d->setState(State::Ready);
    return d->setupResult;
}

} // namespace Mortar
