// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include <mortar/extension.h>

#include <QHash>
#include <QLoggingCategory>

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

    App *const m_app;                                       // not owned; owns the registry
    QHash<QString, ExtensionRegistry::Extension> m_entries; // extensions this App touched
    QStringList m_loadOrder;
};

} // namespace Mortar::Internal
