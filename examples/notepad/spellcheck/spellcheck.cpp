// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The spellcheck plugin: a slot connected to the App's preClose() signal (weight 0, a plain Qt
// connection) and a registered handler of weight 5, so its cleanup falls between the notepad's
// flush (-10) and the removal of the autosave file (10).
#include <mortar/app.h>
#include <mortar/plugin.h>

#include <QObject>
#include <QTextStream>

using namespace Qt::StringLiterals;

class SpellCheckPlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "spellcheck.json")
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &app) override
    {
        connect(&app, &Mortar::App::preClose, this, &SpellCheckPlugin::saveDictionary);
        app.hooks().add(u"pre_close"_s, [] { say("dictionary closed"); },
                        {.weight = 5, .name = u"spellcheck: close dictionary"_s});
    }

    void unload(Mortar::App &) override { say("unloaded"); }

private Q_SLOTS:
    void saveDictionary() { say("personal dictionary saved"); }

private:
    static void say(const char *line) { QTextStream(stdout) << "spellcheck: " << line << Qt::endl; }
};

#include "spellcheck.moc"
