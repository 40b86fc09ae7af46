// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A plugin that loads and adds a cleanup handler: the inspector shows it Loaded.
#include <mortar/app.h>
#include <mortar/plugin.h>

#include <QObject>

using namespace Qt::StringLiterals;

class GreeterPlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "greeter.json")
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &app) override
    {
        app.hooks().add(u"pre_close"_s, [] {}, {.weight = 3, .name = u"greeter: say goodbye"_s});
    }
};

#include "greeter.moc"
