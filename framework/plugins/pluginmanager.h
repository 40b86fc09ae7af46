// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>
#include <mortar/plugininfo.h>
#include <mortar/result.h>

#include <QHash>
#include <QMap>
#include <QObject>
#include <QStringList>

#include <memory>
#include <vector>

class QPluginLoader;

namespace Mortar {

class App;
class Config;
class HookRegistry;
class Plugin;
class Trace;

/*!
    What decides which plugins load (SPEC §7). Precedence, strongest first:
    1. \c required (AppOptions::plugins): always loads; \c --no-plugin for it is an error;
    2. \c disabled (\c --no-plugin): never loads, whatever the config says;
    3. \c enabled (\c --plugin): loads; not found or failing is an error, as for \c required —
       the user asked for it by name;
    4. \c config (\c{[plugin.<name>] enabled=}, already resolved: the later file won);
    5. the plugin's \c enabledByDefault.
    A plugin's dependencies load with it unless disabled explicitly (2 or 4), which fails it.
    A name given in several places loads once.
*/
struct PluginSelection
{
    QStringList required = {};
    QStringList enabled = {};
    QStringList disabled = {};
    QMap<QString, bool> config = {};
    QMap<QString, QString> configSources = {}; //!< name → file that set \c enabled last
};

/*!
    \brief The App's plugins (\c{app.plugins()}): finds, orders, loads and unloads them.

    App::setup() discovers the plugin files, reads what enables them (AppOptions::plugins, the
    config, the command line) and loads them; the close unloads them after \c post_close. What
    became of each file (plugins(), the signals) is what the inspector's Plugins view shows.
    An application may call discover() and load() again later, e.g. for a plugin directory it
    learns of at run time: what is loaded already is not loaded twice. The App owns the
    manager; every call is made from the App's thread.
*/
class MORTAR_EXPORT PluginManager final : public QObject
{
    Q_OBJECT

public:
    /*! The App constructs it: \a app is what plugins' load() and unload() are given; their
        handlers are added to \a hooks and what happens to them is recorded in \a trace. */
    PluginManager(App &app, HookRegistry &hooks, Trace &trace);
    /*! Unloads what is still loaded (so the App must outlive it). */
    ~PluginManager() override;

    /*!
        The directories searched, in order: \a pluginDirs, then \a environmentPath
        (\c MORTAR_PLUGIN_PATH, colon-separated), then \c{<user data>/<label>/plugins}, then
        \c{<install prefix>/lib/<label>/plugins}. Empty entries and repeats are dropped.
    */
    static QStringList searchPath(const QStringList &pluginDirs, const QString &environmentPath,
                                  const QString &label);

    /*!
        Adds \c{[plugin.<name>] enabled=} of \a config to \a selection. A section without
        \c enabled says nothing. Fails for a value that is not a boolean (\c true / \c false,
        \c yes / \c no, \c on / \c off, \c 1 / \c 0), naming the file.
    */
    static Result readConfig(const Config &config, PluginSelection &selection);

    /*! Lists the plugin files in \a directories, in order; the first file of a name wins.
        Reads each file's metadata without loading it. */
    void discover(const QStringList &directories);

    /*!
        Loads the plugins \a selection enables, dependencies first (ties by name). Checks every
        requested name, dependency chain and metadata before loading any: a required problem
        fails without loading anything. Then a required plugin that fails to load stops here and
        is returned; an optional one is logged, recorded (\c plugin.failed) and skipped. Plugins
        loaded by an earlier call are not loaded again.
    */
    Result load(const PluginSelection &selection);

    /*!
        Unloads the loaded plugins in reverse load order: each one's unload(), then removal of
        the handlers it owns, then its root object is destroyed. The library itself stays mapped
        (see the .cpp for why).
    */
    void unloadAll();

    /*! Every discovered plugin, in discovery order. */
    QList<PluginInfo> plugins() const;
    /*! The plugin \a name; an empty name if none was discovered. */
    PluginInfo plugin(const QString &name) const;
    /*! The names of the loaded plugins, in load order. */
    QStringList loaded() const;
    /*! The directories discover() searched. */
    QStringList directories() const;

Q_SIGNALS:
    void pluginLoaded(const Mortar::PluginInfo &plugin);
    void pluginFailed(const Mortar::PluginInfo &plugin, const QString &error);
    void pluginUnloaded(const Mortar::PluginInfo &plugin);

private:
    struct Entry;

    Entry *find(const QString &name) const;
    Result fail(Entry &entry, const QString &reason, bool required);
    Result loadOne(Entry &entry, bool required);
    void removeHandlersOf(const QString &name);

    App &m_app;                                    // not owned; owns this
    HookRegistry &m_hooks;                         // not owned; the App's
    Trace &m_trace;                                // not owned; the App's
    std::vector<std::unique_ptr<Entry>> m_entries; // discovery order
    QHash<QString, Entry *> m_byName;
    QStringList m_loadOrder;
    QStringList m_directories;
};

} // namespace Mortar
