// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/extension.h>

#include "app_p.h"
#include "extension_p.h"

#include <mortar/app.h>

#include <QMap>
#include <QMutex>

#include <exception>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace Internal {

Q_LOGGING_CATEGORY(lcExtensions, "mortar.extensions", QtInfoMsg)

namespace {
// The extensions of the process, filled during static initialization. A function-local static,
// so that it exists before the first MORTAR_EXTENSION of any translation unit runs, whatever
// the order in which the linker put them.
struct GlobalRegistry
{
    QMutex mutex;
    QMap<QString, ExtensionRegistry::LoadFunction> byName; // sorted: "known: …" reads well
};

GlobalRegistry &globalRegistry()
{
    static GlobalRegistry registry;
    return registry;
}

ExtensionRegistry::LoadFunction lookup(const QString &name)
{
    GlobalRegistry &registry = globalRegistry();
    QMutexLocker locker(&registry.mutex);
    return registry.byName.value(name);
}

QString quoted(const QStringList &names)
{
    QStringList quotedNames;
    for (const QString &name : names)
        quotedNames.append(u'\'' + name + u'\'');
    return quotedNames.join(u", "_s);
}
} // namespace

QString ExtensionRegistryPrivate::unknownMessage(const QStringList &unknown)
{
    const QStringList known = ExtensionRegistry::registeredNames();
    return u"Unable to load extensions: unknown %1 %2 (known: %3)"_s.arg(
            unknown.size() == 1 ? u"extension"_s : u"extensions"_s, quoted(unknown),
            known.isEmpty() ? u"none"_s : known.join(u", "_s));
}

Result ExtensionRegistryPrivate::loadAll(const QStringList &names, const QString &requestedBy)
{
    // All names are checked before any extension loads: a typo must not leave the App half
    // set up with the extensions listed before it.
    QStringList unknown;
    for (const QString &name : names) {
        if (!lookup(name) && !unknown.contains(name))
            unknown.append(name);
    }
    if (!unknown.isEmpty()) {
        const QString error = unknownMessage(unknown);
        for (const QString &name : std::as_const(unknown)) {
            TraceEvent event;
            event.kind = u"extension.failed"_s;
            event.error = error;
            event.extra = {{u"name"_s, name}, {u"requestedBy"_s, requestedBy}};
            m_app->trace().record(std::move(event));
        }
        return Result::failure(error);
    }
    for (const QString &name : names) {
        if (const Result loaded = loadOne(name, requestedBy); !loaded)
            return loaded;
    }
    return Result::success();
}

Result ExtensionRegistryPrivate::loadOne(const QString &name, const QString &requestedBy,
                                         bool implicitly)
{
    const ExtensionRegistry::LoadFunction load = lookup(name);
    if (!load)
        return loadAll({name}, requestedBy); // the unknown-name error, recorded like the others

    if (const auto it = m_entries.constFind(name); it != m_entries.cend()) {
        switch (it->state) {
        case ExtensionRegistry::State::Loading: // its own load() asked for it, or a dependency's
        case ExtensionRegistry::State::Loaded: return Result::success();
        case ExtensionRegistry::State::Failed:
            // Not run twice: a half-run load() may have registered handlers already.
            return Result::failure(it->error);
        case ExtensionRegistry::State::Available: break;
        }
    }
    if (!implicitly && m_app->state() >= App::State::Closing) {
        // Its close handlers would never run: a pid file written now would be left behind. (An
        // implicit load, App::tempFiles() during the close, still goes ahead: ~TempFiles removes
        // what is made after the close.)
        TraceEvent event;
        event.kind = u"extension.failed"_s;
        event.error = u"the App is closing: its close handlers would never run"_s;
        event.extra = {{u"name"_s, name}, {u"requestedBy"_s, requestedBy}};
        const QString error = u"Unable to load extension '%1': %2"_s.arg(name, event.error);
        m_app->trace().record(std::move(event));
        return Result::failure(error);
    }
    m_entries.insert(name, {name, ExtensionRegistry::State::Loading, {}, requestedBy});

    const qint64 start = m_app->trace().now();
    QString error;
    {
        // Everything load() registers is the extension's, shown as such in the trace and the
        // inspector. Innermost scope wins, so an extension loading another one attributes
        // correctly.
        const HookRegistry::OwnerScope owner(m_app->hooks(), u"extension:"_s + name);
        try {
            load(*m_app);
        } catch (const std::exception &e) {
            error = QString::fromLocal8Bit(e.what());
            if (error.isEmpty())
                error = u"an exception with an empty message"_s;
        } catch (...) {
            error = u"an exception not derived from std::exception"_s;
        }
    }

    // Re-looked-up: a load() that loaded other extensions may have grown the hash.
    ExtensionRegistry::Extension &entry = m_entries[name];
    TraceEvent event;
    event.durationNs = m_app->trace().now() - start;
    event.extra = {{u"name"_s, name}, {u"requestedBy"_s, requestedBy}};
    if (implicitly)
        event.extra.insert(u"implicit"_s, true);
    if (!error.isEmpty()) {
        // The handlers it registered before throwing stay: setup fails and the close runs
        // next, and they may be what cleans up the part it did set up.
        entry.state = ExtensionRegistry::State::Failed;
        entry.error = u"Unable to load extension '%1': %2"_s.arg(name, error);
        event.kind = u"extension.failed"_s;
        event.error = error;
        m_app->trace().record(std::move(event));
        Q_EMIT m_app->extensions().extensionFailed(name, entry.error);
        return Result::failure(entry.error);
    }
    entry.state = ExtensionRegistry::State::Loaded;
    m_loadOrder.append(name);
    event.kind = u"extension.loaded"_s;
    m_app->trace().record(std::move(event));
    qCDebug(lcExtensions).noquote() << u"Loaded extension '%1' (%2)"_s.arg(name, requestedBy);
    Q_EMIT m_app->extensions().extensionLoaded(name);
    return Result::success();
}

} // namespace Internal

ExtensionRegistry::ExtensionRegistry(App *app)
    : QObject(nullptr),
      d(std::make_unique<Internal::ExtensionRegistryPrivate>(app))
{
}

ExtensionRegistry::~ExtensionRegistry() = default;

bool ExtensionRegistry::registerExtension(const char *name, LoadFunction load)
{
    const QString extensionName = QString::fromUtf8(name ? name : "");
    if (extensionName.isEmpty() || !load) {
        qCWarning(Internal::lcExtensions).noquote()
                << u"Unable to register extension '%1': %2"_s.arg(
                           extensionName,
                           extensionName.isEmpty() ? u"the name is empty"_s
                                                   : u"the load function is null"_s);
        return false;
    }
    Internal::GlobalRegistry &registry = Internal::globalRegistry();
    QMutexLocker locker(&registry.mutex);
    if (registry.byName.contains(extensionName)) {
        locker.unlock();
        qCWarning(Internal::lcExtensions).noquote()
                << u"Unable to register extension '%1': an extension of that name is "
                   u"registered already (the first one stays)"_s.arg(extensionName);
        return false;
    }
    registry.byName.insert(extensionName, load);
    return true;
}

QStringList ExtensionRegistry::registeredNames()
{
    Internal::GlobalRegistry &registry = Internal::globalRegistry();
    QMutexLocker locker(&registry.mutex);
    return registry.byName.keys();
}

QStringList ExtensionRegistry::known() const
{
    return registeredNames();
}

QList<ExtensionRegistry::Extension> ExtensionRegistry::extensions() const
{
    QList<Extension> all;
    for (const QString &name : registeredNames())
        all.append(d->m_entries.value(name, Extension{name, State::Available, {}, {}}));
    return all;
}

QStringList ExtensionRegistry::loaded() const
{
    return d->m_loadOrder;
}

bool ExtensionRegistry::isLoaded(const QString &name) const
{
    return state(name) == State::Loaded;
}

ExtensionRegistry::State ExtensionRegistry::state(const QString &name) const
{
    return d->m_entries.value(name).state;
}

Result ExtensionRegistry::load(const QString &name)
{
    return d->loadOne(name, u"ExtensionRegistry::load()"_s);
}

Result ExtensionRegistry::load(const QStringList &names)
{
    return d->loadAll(names, u"ExtensionRegistry::load()"_s);
}

// Defined here rather than in app.cpp: the registry is this file's subject.
ExtensionRegistry &App::extensions()
{
    return *d->extensions;
}

} // namespace Mortar
