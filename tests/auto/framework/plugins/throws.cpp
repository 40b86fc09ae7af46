// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "testplugin.h"

#include <stdexcept>

using namespace Qt::StringLiterals;

class ThrowsPlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "throws.json")
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &app) override
    {
        recordPluginStep(app, u"test.loaded"_s, u"throws"_s);
        app.hooks().add(u"pre_close"_s, [] {}, {.name = u"throws: half set up"_s});
        throw std::runtime_error("the database is locked");
    }
};

#include "throws.moc"
