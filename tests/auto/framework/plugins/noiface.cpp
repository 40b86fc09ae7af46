// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Declares Mortar's IID but its root object does not implement Mortar::Plugin (no
// Q_INTERFACES): the mistake a plugin author makes when copying the metadata line only.
#include <mortar/plugin.h>

#include <QObject>

class NoInterfacePlugin final : public QObject
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "noiface.json")
};

#include "noiface.moc"
