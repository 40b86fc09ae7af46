// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/pluginmanager.h>

#include "hookregistry_p.h"
#include "objectcensus_p.h"

#include "pluginmetadata_p.h"
#include "pluginselection_p.h"

#include <mortar/config.h>
#include <mortar/hookregistry.h>
#include <mortar/plugin.h>
#include <mortar/trace.h>

#include <QDir>
#include <QFileInfo>
#include <QLibrary>
#include <QLoggingCategory>
#include <QPluginLoader>
#include <QScopeGuard>
#include <QStandardPaths>

#include <exception>
#include <optional>

#include <dlfcn.h>

#ifndef MORTAR_LIBDIR_DEPTH
#  define MORTAR_LIBDIR_DEPTH 1 // how many folders CMAKE_INSTALL_LIBDIR has ("lib" → 1)
#endif

using namespace Qt::StringLiterals;

namespace Mortar {

namespace {
Q_LOGGING_CATEGORY(lcPlugins, "mortar.plugins", QtInfoMsg)
}

struct PluginManager::Entry
{
    PluginInfo info;
    QString problem; // why the file cannot be loaded, known from its metadata alone
    std::unique_ptr<QPluginLoader> loader;
    Plugin *plugin = nullptr; // not owned: the loader's root object
    bool required = false;
};

namespace {

QString exceptionMessage(std::exception_ptr exception)
{
    try {
        std::rethrow_exception(exception);
    } catch (const std::exception &e) {
        const QString what = QString::fromLocal8Bit(e.what());
        return what.isEmpty() ? u"an exception with an empty message"_s : what;
    } catch (...) {
        return u"an exception not derived from std::exception"_s;
    }
}

std::optional<bool> parseBool(const QVariant &value)
{
    if (value.typeId() == QMetaType::Bool)
        return value.toBool();
    // QVariant::toBool() would take "no" and "off" for true: check the words ourselves.
    const QString text = value.toString().trimmed().toLower();
    if (text == u"true"_s || text == u"yes"_s || text == u"on"_s || text == u"1"_s)
        return true;
    if (text == u"false"_s || text == u"no"_s || text == u"off"_s || text == u"0"_s)
        return false;
    return std::nullopt;
}

/*! The install prefix, found from where this library is rather than baked in at build time, so
    an installed tree can be moved: <prefix>/<libdir>/libMortarFramework.so → <prefix>. */
QString installPrefix()
{
    Dl_info info{};
    if (dladdr(reinterpret_cast<const void *>(&installPrefix), &info) == 0 || !info.dli_fname)
        return {};
    QDir dir = QFileInfo(QString::fromLocal8Bit(info.dli_fname)).absoluteDir();
    for (int i = 0; i < MORTAR_LIBDIR_DEPTH; ++i)
        dir.cdUp();
    return dir.absolutePath();
}

} // namespace

PluginManager::PluginManager(App &app, HookRegistry &hooks, Trace &trace)
    : m_app(app),
      m_hooks(hooks),
      m_trace(trace)
{
}

PluginManager::~PluginManager()
{
    unloadAll();
}

QStringList PluginManager::searchPath(const QStringList &pluginDirs, const QString &environmentPath,
                                      const QString &label)
{
    QStringList candidates = pluginDirs;
    candidates += environmentPath.split(u':', Qt::SkipEmptyParts);
    const QString userData = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (!userData.isEmpty())
        candidates.append(userData + u'/' + label + u"/plugins"_s);
    if (const QString prefix = installPrefix(); !prefix.isEmpty())
        candidates.append(prefix + u"/lib/"_s + label + u"/plugins"_s);

    QStringList directories;
    for (const QString &candidate : std::as_const(candidates)) {
        if (candidate.isEmpty())
            continue;
        const QString directory = QDir::cleanPath(QDir(candidate).absolutePath());
        if (!directories.contains(directory))
            directories.append(directory);
    }
    return directories;
}

Result PluginManager::readConfig(const Config &config, PluginSelection &selection)
{
    const QStringList groups = config.childGroups();
    for (const QString &group : groups) {
        if (!group.startsWith(u"plugin."_s) || group.size() == 7)
            continue;
        const QString key = group + u"/enabled"_s;
        if (!config.contains(key))
            continue; // [plugin.x] with settings but no decision
        const QString name = group.sliced(7);
        const QVariant value = config.value(key);
        const std::optional<bool> enabled = parseBool(value);
        if (!enabled) {
            return Result::failure(
                    u"Invalid value in config file %1: [%2] enabled=%3 (expected true or false)"_s
                            .arg(config.sourceOf(key), group, value.toString()));
        }
        selection.config.insert(name, *enabled);
        selection.configSources.insert(name, config.sourceOf(key));
    }
    return Result::success();
}

void PluginManager::discover(const QStringList &directories)
{
    for (const QString &directory : directories) {
        if (m_directories.contains(directory))
            continue;
        m_directories.append(directory);
        const QFileInfoList files =
                QDir(directory).entryInfoList(QDir::Files, QDir::Name); // a stable order
        for (const QFileInfo &file : files) {
            if (!QLibrary::isLibrary(file.fileName()))
                continue;
            auto entry = std::make_unique<Entry>();
            entry->info.fileName = file.absoluteFilePath();
            entry->info.name = Internal::pluginNameFromFileName(entry->info.fileName);
            entry->problem = Internal::readPluginMetaData(
                    QPluginLoader(entry->info.fileName).metaData(), entry->info);
            if (const Entry *first = m_byName.value(entry->info.name)) {
                qCDebug(lcPlugins).noquote()
                        << u"Ignoring plugin '%1' from %2: %3 comes first in the search path"_s.arg(
                                   entry->info.name, entry->info.fileName, first->info.fileName);
                continue;
            }
            m_byName.insert(entry->info.name, entry.get());
            m_entries.push_back(std::move(entry));
        }
    }
}

PluginManager::Entry *PluginManager::find(const QString &name) const
{
    return m_byName.value(name);
}

Result PluginManager::fail(Entry &entry, const QString &reason, bool required)
{
    entry.info.state = PluginInfo::State::Failed;
    entry.info.errorString = u"Unable to load plugin '%1' from %2: %3"_s.arg(
            entry.info.name, entry.info.fileName, reason);
    TraceEvent event;
    event.kind = u"plugin.failed"_s;
    event.error = entry.info.errorString;
    event.extra = {{u"name"_s, entry.info.name},
                   {u"file"_s, entry.info.fileName},
                   {u"required"_s, required}};
    m_trace.record(std::move(event));
    if (!required) // a required one fails setup, which reports it
        qCWarning(lcPlugins).noquote() << entry.info.errorString;
    Q_EMIT pluginFailed(entry.info, entry.info.errorString);
    return Result::failure(entry.info.errorString);
}

Result PluginManager::load(const PluginSelection &selection)
{
    QList<Internal::PluginCandidate> candidates;
    candidates.reserve(qsizetype(m_entries.size()));
    for (const auto &entry : m_entries)
        candidates.append({entry->info, entry->problem});
    const QString searched =
            m_directories.isEmpty() ? u"no directories"_s : m_directories.join(u", "_s);
    const Internal::PluginPlan plan = Internal::planPlugins(candidates, selection, searched);

    QStringList errors;
    for (const Internal::PluginPlan::NotFound &missing : plan.notFound) {
        errors.append(missing.error);
        TraceEvent event;
        event.kind = u"plugin.failed"_s;
        event.error = missing.error;
        event.extra = {{u"name"_s, missing.name}, {u"required"_s, true}};
        m_trace.record(std::move(event));
    }
    for (const QString &warning : plan.configNotFound)
        qCWarning(lcPlugins).noquote() << warning;

    for (const Internal::PluginPlan::Wanted &wanted : plan.wanted) {
        Entry *entry = find(wanted.name);
        entry->required = entry->required || wanted.required;
        if (entry->info.state == PluginInfo::State::Discovered
            || entry->info.state == PluginInfo::State::Disabled)
            entry->info.enabledBy = wanted.enabledBy;
    }
    // Problems known before loading: the file itself, then the dependency chain.
    for (const Internal::PluginPlan::Wanted &wanted : plan.wanted) {
        if (wanted.problem.isEmpty())
            continue;
        Entry *entry = find(wanted.name);
        const Result failed = fail(*entry, wanted.problem, entry->required);
        if (entry->required)
            errors.append(failed.errorString());
    }
    // A required plugin that failed before, in an earlier call, fails again.
    for (const Internal::PluginPlan::Wanted &wanted : plan.wanted) {
        const Entry *entry = find(wanted.name);
        if (entry->required && entry->info.state == PluginInfo::State::Failed
            && wanted.problem.isEmpty() && !errors.contains(entry->info.errorString))
            errors.append(entry->info.errorString);
    }
    for (const QString &name : plan.unwanted) {
        Entry *entry = find(name);
        entry->info.state = PluginInfo::State::Disabled;
        // Recorded too, so a trace (and an inspector) lists every plugin file found.
        TraceEvent event;
        event.kind = u"plugin.disabled"_s;
        event.extra = {{u"name"_s, entry->info.name},
                       {u"version"_s, entry->info.version},
                       {u"file"_s, entry->info.fileName}};
        m_trace.record(std::move(event));
    }
    if (!errors.isEmpty())
        return Result::failure(errors.join(u'\n'));

    for (const QString &name : plan.loadOrder) {
        Entry *entry = find(name);
        QString failedDependency;
        for (const QString &dependency : entry->info.depends) {
            if (find(dependency)->info.state != PluginInfo::State::Loaded) {
                failedDependency = dependency;
                break;
            }
        }
        Result result;
        if (!failedDependency.isEmpty()) {
            result = fail(*entry,
                          u"plugin '%1' depends on '%2', which could not be loaded"_s.arg(
                                  name, failedDependency),
                          entry->required);
        } else {
            result = loadOne(*entry, entry->required);
        }
        if (!result && entry->required)
            return result;
    }
    return Result::success();
}

Result PluginManager::loadOne(Entry &entry, bool required)
{
    const qint64 start = m_trace.now();
    auto loader = std::make_unique<QPluginLoader>(entry.info.fileName);
    // All symbols now: a missing one fails here, with the loader's message, instead of
    // crashing the first time the plugin calls it. And never unmapped: see unloadAll().
    loader->setLoadHints(QLibrary::ResolveAllSymbolsHint | QLibrary::PreventUnloadHint);
    if (!loader->load())
        return fail(entry,
                    Internal::pluginLoadErrorReason(loader->errorString(), entry.info.fileName),
                    required);
    // What the plugin creates from here to the end of its load() is its own (spec §16).
    Internal::ObjectCensus::beginLoad(entry.info.name);
    const auto endCensus = qScopeGuard([] { Internal::ObjectCensus::endLoad(); });
    QObject *root = loader->instance();
    auto *plugin = qobject_cast<Plugin *>(root);
    if (!plugin) {
        const QString reason = root
                ? u"its root object (%1) does not implement Mortar::Plugin (add "
                  u"Q_INTERFACES(Mortar::Plugin))"_s.arg(
                          QLatin1StringView(root->metaObject()->className()))
                : u"the library cannot be loaded (%1)"_s.arg(loader->errorString());
        loader->unload();
        return fail(entry, reason, required);
    }

    const QString owner = u"plugin:"_s + entry.info.name;
    std::exception_ptr exception;
    {
        const HookRegistry::OwnerScope scope(m_hooks, owner);
        try {
            plugin->load(m_app);
        } catch (...) {
            exception = std::current_exception();
        }
    }
    if (exception) {
        // The App goes on without it, so nothing of it may run: its handlers go, and its root
        // object (whose destructor may undo what load() did). The library stays mapped.
        removeHandlersOf(entry.info.name);
        loader->unload();
        return fail(entry, u"its load() threw: %1"_s.arg(exceptionMessage(exception)), required);
    }

    entry.loader = std::move(loader);
    entry.plugin = plugin;
    entry.info.state = PluginInfo::State::Loaded;
    entry.info.errorString.clear();
    m_loadOrder.append(entry.info.name);
    TraceEvent event;
    event.kind = u"plugin.loaded"_s;
    event.durationNs = m_trace.now() - start;
    event.extra = {{u"name"_s, entry.info.name},
                   {u"version"_s, entry.info.version},
                   {u"file"_s, entry.info.fileName},
                   {u"enabledBy"_s, entry.info.enabledBy}};
    m_trace.record(std::move(event));
    qCDebug(lcPlugins).noquote() << u"Loaded plugin '%1' from %2 (%3)"_s.arg(
            entry.info.name, entry.info.fileName, entry.info.enabledBy);
    Q_EMIT pluginLoaded(entry.info);
    return Result::success();
}

namespace {

/*! The census of one plugin's objects: a \c leak.* event and a warning each. */
void recordLeaks(Trace &trace, const QList<Internal::PluginLeak> &leaks)
{
    for (const Internal::PluginLeak &leak : leaks) {
        TraceEvent event;
        event.kind = leak.kind;
        event.owner = u"plugin:"_s + leak.plugin;
        event.message = leak.what;
        event.extra = {{u"plugin"_s, leak.plugin},
                       {u"className"_s, leak.className},
                       {u"objectName"_s, leak.objectName}};
        trace.record(std::move(event));
        qCWarning(lcPlugins).noquote()
                << u"Plugin '%1' left %2 alive after its unload(): %3 (%4)"_s.arg(
                           leak.plugin,
                           leak.kind == u"leak.thread"_s          ? u"a running thread"_s
                                   : leak.kind == u"leak.timer"_s ? u"an active timer"_s
                                                                  : u"an object"_s,
                           leak.what, leak.kind);
    }
}

} // namespace

void PluginManager::removeHandlersOf(const QString &name)
{
    // By owner rather than by the ids handlerAdded reported: that also catches handlers added
    // under the plugin's scope from a nested call (a handler it ran during load()).
    const QString owner = u"plugin:"_s + name;
    HookRegistry &hooks = m_hooks;
    const QStringList names = hooks.names();
    for (const QString &hook : names) {
        const QList<HandlerInfo> handlers = hooks.handlers(hook);
        for (const HandlerInfo &handler : handlers) {
            if (handler.owner() == owner)
                Internal::HookRegistryPrivate::get(hooks)->removeEntry(
                        handler.id(), u"its plugin '%1' was unloaded"_s.arg(name));
        }
    }
}

void PluginManager::unloadAll()
{
    // The libraries are loaded with PreventUnloadHint and never unmapped: strings a plugin
    // made with u""_s point into its read-only data, without a copy, and live on in handler
    // names and trace events after the plugin is gone (as do the vtables of objects it may
    // have handed out). Unloading destroys the root object and removes the handlers; the code
    // stays. Qt Creator, KDE and qtbase's own plugins keep their libraries mapped too.
    while (!m_loadOrder.isEmpty()) {
        const QString name = m_loadOrder.takeLast();
        Entry *entry = find(name);
        std::exception_ptr exception;
        {
            const HookRegistry::OwnerScope scope(m_hooks, u"plugin:"_s + name);
            try {
                entry->plugin->unload(m_app);
            } catch (...) {
                exception = std::current_exception();
            }
        }
        removeHandlersOf(name);
        // Before the root object goes: a QThread still running under it would abort the
        // process in its destructor, and the census names it first (spec §16).
        recordLeaks(m_trace, Internal::ObjectCensus::take(name, entry->loader->instance()));
        entry->plugin = nullptr;
        entry->loader->unload(); // destroys the root object
        entry->loader.reset();
        entry->info.state = PluginInfo::State::Unloaded;

        TraceEvent event;
        event.kind = u"plugin.unloaded"_s;
        event.extra = {{u"name"_s, name}, {u"file"_s, entry->info.fileName}};
        if (exception) {
            event.status = u"failed"_s;
            event.error = u"its unload() threw: %1"_s.arg(exceptionMessage(exception));
            qCWarning(lcPlugins).noquote()
                    << u"Plugin '%1' from %2: %3"_s.arg(name, entry->info.fileName, event.error);
        }
        m_trace.record(std::move(event));
        Q_EMIT pluginUnloaded(entry->info);
    }
}

QList<PluginInfo> PluginManager::plugins() const
{
    QList<PluginInfo> all;
    all.reserve(qsizetype(m_entries.size()));
    for (const auto &entry : m_entries)
        all.append(entry->info);
    return all;
}

PluginInfo PluginManager::plugin(const QString &name) const
{
    const Entry *entry = find(name);
    return entry ? entry->info : PluginInfo{};
}

QStringList PluginManager::loaded() const
{
    return m_loadOrder;
}

QStringList PluginManager::directories() const
{
    return m_directories;
}

} // namespace Mortar
