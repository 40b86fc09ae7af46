// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A plugin nothing enables: the inspector shows it Disabled.
#include <mortar/app.h>
#include <mortar/plugin.h>

#include <QObject>

class IdlePlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "idle.json")
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &) override { }
};

#include "idle.moc"
