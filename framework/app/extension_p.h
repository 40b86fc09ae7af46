// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include <mortar/extension.h>

#include <QHash>
#include <QLoggingCategory>

#include <memory>

namespace Mortar::Internal {

Q_DECLARE_LOGGING_CATEGORY(lcExtensions)

class ExtensionRegistryPrivate
{
public:
    explicit ExtensionRegistryPrivate(App *app) : m_app(app) { }

    static ExtensionRegistryPrivate *get(ExtensionRegistry &registry) { return registry.d.get(); }

    /*! Loads \a names in order after checking that all are known; \a requestedBy says why
        (\c AppOptions::extensions; later also the config file that named them). */
    Result loadAll(const QStringList &names, const QString &requestedBy);
    /*! Loads \a name; \a implicitly: not asked for by name, but by using what it provides
        (App::tempFiles()), which the trace records. */
    Result loadOne(const QString &name, const QString &requestedBy, bool implicitly = false);

    /*! "Unable to load extensions: unknown extension 'x' (known: a, b)". */
    static QString unknownMessage(const QStringList &unknown);

    /*! What extension \a name keeps for this App (e.g. mortar.tempfiles its TempFiles), or
        null: extensions own their state, which lives as long as the App. */
    template <typename T>
    T *state(const QString &name) const
    {
        return static_cast<T *>(m_state.value(name).get());
    }
    template <typename T>
    T &setState(const QString &name, std::unique_ptr<T> state)
    {
        T &stored = *state;
        m_state.insert(name, std::shared_ptr<void>(std::move(state)));
        return stored;
    }

    App *const m_app;                                       // not owned; owns the registry
    QHash<QString, std::shared_ptr<void>> m_state;          // name → that extension's state
    QHash<QString, ExtensionRegistry::Extension> m_entries; // extensions this App touched
    QStringList m_loadOrder;
};

} // namespace Mortar::Internal
