// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>

#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>

namespace Mortar {

/*!
    \brief A plugin file as the App sees it: its metadata, where it was found, and what became
    of it. What the inspector's Plugins view shows.
*/
struct MORTAR_EXPORT PluginInfo
{
    Q_GADGET

public:
    enum class State {
        Discovered, //!< found; not decided yet whether it loads
        Loaded,     //!< its load() returned
        Failed,     //!< it could not be loaded; errorString() says why
        Disabled,   //!< found, but nothing enabled it
        Unloaded,   //!< it was loaded and has been unloaded
    };
    Q_ENUM(State)

    QString name;        //!< metadata \c name, else the file name without \c lib and suffix
    QString version;     //!< metadata \c version
    QString description; //!< metadata \c description
    QStringList depends; //!< metadata \c depends: names of plugins that load first
    bool enabledByDefault = false; //!< metadata \c enabledByDefault
    QString fileName;              //!< absolute path of the library
    State state = State::Discovered;
    QString errorString; //!< "Unable to load plugin 'x' from <path>: <reason>" when Failed
    QString enabledBy;   //!< why it was enabled: \c AppOptions::plugins, \c --plugin, a config
                         //!< file, \c enabledByDefault, or the plugin that depends on it
};

} // namespace Mortar

Q_DECLARE_METATYPE(Mortar::PluginInfo)
