// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <QtPlugin>

namespace Mortar {

class App;

/*!
    \brief The interface of a run-time plugin: a Qt plugin whose root object implements it.

    A plugin is a shared library built with \c mortar_add_plugin() (or \c qt_add_plugin()) whose
    root object derives from QObject and Mortar::Plugin and carries metadata (\c name,
    \c version, \c description, \c depends, \c enabledByDefault):
    \code
    class CachePlugin final : public QObject, public Mortar::Plugin
    {
        Q_OBJECT
        Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "cache.json")
        Q_INTERFACES(Mortar::Plugin)
    public:
        void load(Mortar::App &app) override
        {
            app.hooks().add(u"pre_close"_s, [] { flushCache(); }, {.name = u"flush cache"_s});
        }
    };
    \endcode
    load() runs once, in the App's thread, during setup(), after the plugins it depends on.
    Handlers it registers are owned by \c{plugin:<name>} and are removed when the plugin is
    unloaded. An exception escaping load() fails the plugin (and setup(), if the plugin is
    required); it never unwinds into the App.
*/
class Plugin
{
public:
    virtual ~Plugin() = default;

    /*! Sets the plugin up: registers handlers, defines hooks, adds command-line options in
        \c pre_argument_parsing … */
    virtual void load(App &app) = 0;
    /*! Called before the plugin's handlers are removed and its root object is destroyed, in
        the reverse order of loading. */
    virtual void unload(App &app) { Q_UNUSED(app); }
};

} // namespace Mortar

/*! The interface id of Mortar::Plugin: the \c IID of a plugin's \c Q_PLUGIN_METADATA. */
#define MORTAR_PLUGIN_IID "org.mortar.Plugin/1"

Q_DECLARE_INTERFACE(Mortar::Plugin, MORTAR_PLUGIN_IID)
