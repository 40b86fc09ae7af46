// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/pluginmanager.h>

#include <mortar/app.h>
#include <mortar/config.h>
#include <mortar/plugin.h>

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QLibrary>
#include <QPluginLoader>
#include <QSet>
#include <QStandardPaths>

#include <exception>
#include <functional>
#include <optional>
#include <set>

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

QString nameFromFileName(const QString &path)
{
    // "libcache.so" → "cache", "cache.so.1" → "cache"
    QString name = QFileInfo(path).fileName().section(u'.', 0, 0);
    if (name.startsWith(u"lib"_s) && name.size() > 3)
        name.remove(0, 3);
    return name;
}

// Reads what QPluginLoader::metaData() found (without loading the library). Returns why the
// file cannot be a Mortar plugin, or an empty string.
QString readMetaData(const QJsonObject &raw, PluginInfo &info)
{
    if (raw.isEmpty())
        // Also what moc makes of a Q_PLUGIN_METADATA whose JSON file is invalid: it warns,
        // drops the declaration, and the build succeeds.
        return u"the file is not a Qt plugin (it has no plugin metadata: no Q_PLUGIN_METADATA, "
               u"or moc ignored it because its JSON file is invalid)"_s;
    const QJsonValue metaData = raw.value(u"MetaData"_s);
    const QJsonObject object = metaData.toObject();
    // The name first, even for a file that is not ours: the first file of a name wins.
    if (const QJsonValue name = object.value(u"name"_s);
        name.isString() && !name.toString().isEmpty())
        info.name = name.toString();

    const QString iid = raw.value(u"IID"_s).toString();
    if (iid != QLatin1StringView(MORTAR_PLUGIN_IID)) {
        return u"it is a Qt plugin for another interface ('%1'), not a Mortar plugin ('%2')"_s.arg(
                iid, QLatin1StringView(MORTAR_PLUGIN_IID));
    }
    if (!metaData.isObject()) {
        return u"it has no metadata (declare it with Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID "
               u"FILE \"<name>.json\"))"_s;
    }
    const auto invalid = [](const QString &what) {
        return u"its metadata is invalid: %1"_s.arg(what);
    };
    if (object.contains(u"name"_s)
        && (!object.value(u"name"_s).isString() || object.value(u"name"_s).toString().isEmpty()))
        return invalid(u"\"name\" must be a non-empty string"_s);
    for (const QString &key : {u"version"_s, u"description"_s}) {
        if (object.contains(key) && !object.value(key).isString())
            return invalid(u"\"%1\" must be a string"_s.arg(key));
    }
    info.version = object.value(u"version"_s).toString();
    info.description = object.value(u"description"_s).toString();
    if (object.contains(u"depends"_s)) {
        const QJsonValue depends = object.value(u"depends"_s);
        if (!depends.isArray())
            return invalid(u"\"depends\" must be an array of plugin names"_s);
        const QJsonArray array = depends.toArray();
        for (const QJsonValue &dependency : array) {
            if (!dependency.isString() || dependency.toString().isEmpty())
                return invalid(u"\"depends\" must be an array of plugin names"_s);
            info.depends.append(dependency.toString());
        }
    }
    if (object.contains(u"enabledByDefault"_s)) {
        if (!object.value(u"enabledByDefault"_s).isBool())
            return invalid(u"\"enabledByDefault\" must be true or false"_s);
        info.enabledByDefault = object.value(u"enabledByDefault"_s).toBool();
    }
    return {};
}

// QLibrary's "Cannot load library <path>: <dlerror>" as a reason a user understands.
QString loadErrorReason(const QString &errorString, const QString &fileName)
{
    QString detail = errorString;
    const QString prefix = u"Cannot load library %1: "_s.arg(fileName);
    if (detail.startsWith(prefix))
        detail = detail.sliced(prefix.size());
    if (detail.startsWith(u'(') && detail.endsWith(u')'))
        detail = detail.sliced(1, detail.size() - 2);
    if (detail.startsWith(fileName + u": "_s)) // dlerror() names the file again
        detail = detail.sliced(fileName.size() + 2);
    if (detail.contains(u"undefined symbol"_s))
        return u"a symbol it needs is missing (%1)"_s.arg(detail);
    if (detail.contains(u"cannot open shared object file"_s))
        return u"a library it needs cannot be found (%1)"_s.arg(detail);
    return u"the library cannot be loaded (%1)"_s.arg(detail);
}

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

// "plugin 'a' depends on 'b', which depends on 'c'"
QString chain(const QStringList &path)
{
    QString text = u"plugin '%1' depends on '%2'"_s.arg(path.at(0), path.at(1));
    for (qsizetype i = 2; i < path.size(); ++i)
        text += u", which depends on '%1'"_s.arg(path.at(i));
    return text;
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

PluginManager::PluginManager(App &app) : m_app(app) { }

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
            entry->info.name = nameFromFileName(entry->info.fileName);
            entry->problem =
                    readMetaData(QPluginLoader(entry->info.fileName).metaData(), entry->info);
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

QString PluginManager::dependencyProblem(const QString &name, const QSet<QString> &disabled,
                                         const QHash<QString, QString> &disabledBy) const
{
    // Depth first along `depends`, keeping the path so the message can show the whole chain.
    QStringList path;
    QSet<QString> fine;
    const std::function<QString(const QString &)> visit = [&](const QString &current) -> QString {
        path.append(current);
        for (const QString &dependency : find(current)->info.depends) {
            if (path.contains(dependency))
                return chain(path + QStringList{dependency});
            const Entry *entry = find(dependency);
            if (!entry)
                return chain(path + QStringList{dependency}) + u", which was not found"_s;
            if (disabled.contains(dependency)) {
                return chain(path + QStringList{dependency})
                        + u", which is disabled (%1)"_s.arg(disabledBy.value(dependency));
            }
            if (!entry->problem.isEmpty()) {
                return chain(path + QStringList{dependency})
                        + u", which cannot be loaded: %1"_s.arg(entry->problem);
            }
            if (fine.contains(dependency))
                continue;
            if (QString problem = visit(dependency); !problem.isEmpty())
                return problem;
        }
        path.removeLast();
        fine.insert(current);
        return QString();
    };
    return visit(name);
}

QStringList PluginManager::loadOrder(const QStringList &names) const
{
    // Kahn's algorithm; the ready set is ordered by name, which breaks ties by name.
    const QSet<QString> wanted(names.cbegin(), names.cend());
    QHash<QString, int> pending;
    QHash<QString, QStringList> dependents;
    for (const QString &name : names) {
        int count = 0;
        for (const QString &dependency : find(name)->info.depends) {
            if (wanted.contains(dependency)) {
                ++count;
                dependents[dependency].append(name);
            }
        }
        pending.insert(name, count);
    }
    std::set<QString> ready;
    for (const QString &name : names) {
        if (pending.value(name) == 0)
            ready.insert(name);
    }
    QStringList order;
    while (!ready.empty()) {
        const QString next = *ready.begin();
        ready.erase(ready.begin());
        order.append(next);
        for (const QString &dependent : dependents.value(next)) {
            if (--pending[dependent] == 0)
                ready.insert(dependent);
        }
    }
    return order; // callers have removed cycles, so every name is here
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
    m_app.trace().record(std::move(event));
    if (!required) // a required one fails setup, which reports it
        qCWarning(lcPlugins).noquote() << entry.info.errorString;
    Q_EMIT pluginFailed(entry.info, entry.info.errorString);
    return Result::failure(entry.info.errorString);
}

Result PluginManager::load(const PluginSelection &selection)
{
    const auto recordNotFound = [this](const QString &name, const QString &message) {
        TraceEvent event;
        event.kind = u"plugin.failed"_s;
        event.error = message;
        event.extra = {{u"name"_s, name}, {u"required"_s, true}};
        m_app.trace().record(std::move(event));
    };
    const QString searched =
            m_directories.isEmpty() ? u"no directories"_s : m_directories.join(u", "_s);

    // Everything requested by name is checked before anything loads: a typo must not leave
    // the App with half of its plugins loaded.
    QStringList errors;
    for (const QString &name : selection.required) {
        if (selection.disabled.contains(name)) {
            errors.append(u"Unable to disable plugin '%1' (--no-plugin): the application "
                          u"requires it"_s.arg(name));
            recordNotFound(name, errors.constLast());
        }
    }
    for (const QString &name : selection.required + selection.enabled) {
        if (!find(name) && !selection.disabled.contains(name)) {
            const QString error =
                    u"Unable to load plugin '%1': no plugin of that name was found (searched: %2)"_s
                            .arg(name, searched);
            if (!errors.contains(error)) {
                errors.append(error);
                recordNotFound(name, error);
            }
        }
    }
    for (auto it = selection.config.cbegin(); it != selection.config.cend(); ++it) {
        if (it.value() && !find(it.key())) {
            qCWarning(lcPlugins).noquote()
                    << u"Plugin '%1', enabled in %2, was not found (searched: %3)"_s.arg(
                               it.key(), selection.configSources.value(it.key()), searched);
        }
    }

    // Who is disabled, and by what (for the messages).
    QSet<QString> disabled;
    QHash<QString, QString> disabledBy;
    for (const QString &name : selection.disabled) {
        disabled.insert(name);
        disabledBy.insert(name, u"--no-plugin"_s);
    }
    for (auto it = selection.config.cbegin(); it != selection.config.cend(); ++it) {
        if (!it.value() && !selection.required.contains(it.key())
            && !selection.enabled.contains(it.key()) && !disabled.contains(it.key())) {
            disabled.insert(it.key());
            disabledBy.insert(it.key(),
                              u"disabled in %1"_s.arg(selection.configSources.value(it.key())));
        }
    }

    // Who is wanted, and why. A name that comes twice is taken once.
    QStringList wanted;
    const auto want = [&](const QString &name, const QString &why, bool required) {
        Entry *entry = find(name);
        if (!entry)
            return;
        if (required)
            entry->required = true;
        if (wanted.contains(name))
            return;
        wanted.append(name);
        if (entry->info.state == PluginInfo::State::Discovered
            || entry->info.state == PluginInfo::State::Disabled)
            entry->info.enabledBy = why;
    };
    for (const QString &name : selection.required)
        want(name, u"AppOptions::plugins"_s, true);
    for (const QString &name : selection.enabled) {
        if (!disabled.contains(name))
            want(name, u"--plugin"_s, true);
    }
    for (auto it = selection.config.cbegin(); it != selection.config.cend(); ++it) {
        if (it.value() && !disabled.contains(it.key()))
            want(it.key(), selection.configSources.value(it.key()), false);
    }
    for (const auto &entry : m_entries) {
        if (entry->info.enabledByDefault && entry->problem.isEmpty()
            && !disabled.contains(entry->info.name) && !selection.config.contains(entry->info.name))
            want(entry->info.name, u"enabledByDefault"_s, false);
    }
    // Dependencies come along, unless disabled (which dependencyProblem() reports).
    for (qsizetype i = 0; i < wanted.size(); ++i) {
        const Entry *entry = find(wanted.at(i));
        for (const QString &dependency : entry->info.depends) {
            if (find(dependency) && !disabled.contains(dependency))
                want(dependency, u"dependency of '%1'"_s.arg(entry->info.name), false);
        }
    }

    // Problems known before loading: the file itself, then the dependency chain.
    QStringList loadable;
    QHash<QString, QString> problems;
    for (const QString &name : std::as_const(wanted)) {
        Entry *entry = find(name);
        if (entry->info.state == PluginInfo::State::Loaded
            || entry->info.state == PluginInfo::State::Failed)
            continue;
        QString problem = entry->problem;
        if (problem.isEmpty())
            problem = dependencyProblem(name, disabled, disabledBy);
        if (problem.isEmpty())
            loadable.append(name);
        else
            problems.insert(name, problem);
    }
    for (const QString &name : std::as_const(wanted)) {
        if (!problems.contains(name))
            continue;
        Entry *entry = find(name);
        const Result failed = fail(*entry, problems.value(name), entry->required);
        if (entry->required)
            errors.append(failed.errorString());
    }
    // A required plugin that failed before, in an earlier call, fails again.
    for (const QString &name : std::as_const(wanted)) {
        const Entry *entry = find(name);
        if (entry->required && entry->info.state == PluginInfo::State::Failed
            && !problems.contains(name) && !errors.contains(entry->info.errorString))
            errors.append(entry->info.errorString);
    }
    for (const auto &entry : m_entries) {
        if (entry->info.state == PluginInfo::State::Discovered
            && !wanted.contains(entry->info.name)) {
            entry->info.state = PluginInfo::State::Disabled;
            // Recorded too, so a trace (and an inspector) lists every plugin file found.
            TraceEvent event;
            event.kind = u"plugin.disabled"_s;
            event.extra = {{u"name"_s, entry->info.name},
                           {u"version"_s, entry->info.version},
                           {u"file"_s, entry->info.fileName}};
            m_app.trace().record(std::move(event));
        }
    }
    if (!errors.isEmpty())
        return Result::failure(errors.join(u'\n'));

    for (const QString &name : loadOrder(loadable)) {
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
    const qint64 start = m_app.trace().now();
    auto loader = std::make_unique<QPluginLoader>(entry.info.fileName);
    // All symbols now: a missing one fails here, with the loader's message, instead of
    // crashing the first time the plugin calls it. And never unmapped: see unloadAll().
    loader->setLoadHints(QLibrary::ResolveAllSymbolsHint | QLibrary::PreventUnloadHint);
    if (!loader->load())
        return fail(entry, loadErrorReason(loader->errorString(), entry.info.fileName), required);
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
        const HookRegistry::OwnerScope scope(m_app.hooks(), owner);
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
    event.durationNs = m_app.trace().now() - start;
    event.extra = {{u"name"_s, entry.info.name},
                   {u"version"_s, entry.info.version},
                   {u"file"_s, entry.info.fileName},
                   {u"enabledBy"_s, entry.info.enabledBy}};
    m_app.trace().record(std::move(event));
    qCDebug(lcPlugins).noquote() << u"Loaded plugin '%1' from %2 (%3)"_s.arg(
            entry.info.name, entry.info.fileName, entry.info.enabledBy);
    Q_EMIT pluginLoaded(entry.info);
    return Result::success();
}

void PluginManager::removeHandlersOf(const QString &name)
{
    // By owner rather than by the ids handlerAdded reported: that also catches handlers added
    // under the plugin's scope from a nested call (a handler it ran during load()).
    const QString owner = u"plugin:"_s + name;
    HookRegistry &hooks = m_app.hooks();
    const QStringList names = hooks.names();
    for (const QString &hook : names) {
        const QList<HandlerInfo> handlers = hooks.handlers(hook);
        for (const HandlerInfo &handler : handlers) {
            if (handler.owner() == owner)
                hooks.remove(handler.id());
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
            const HookRegistry::OwnerScope scope(m_app.hooks(), u"plugin:"_s + name);
            try {
                entry->plugin->unload(m_app);
            } catch (...) {
                exception = std::current_exception();
            }
        }
        removeHandlersOf(name);
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
        m_app.trace().record(std::move(event));
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
