// The desktop's notification service, for headless Firefox: it has none, so Firefox closes an
// extension's notification as soon as it is created (onClosed fires, onShown never does, and
// `notifications.getAll()` is empty a moment later). `showNotifications(ff)` registers, from
// the browser's privileged (chrome) context, a stand-in for Firefox's alerts service
// (`@mozilla.org/alerts-service;1`, which Firefox's notifications API looks up on every call):
// it keeps each notification on "screen" until it is closed, answers as a desktop does
// ("alertshow", then "alertfinished" on close), records what it was given, and lets a test
// click one. StandIn's code and Firefox's notifications API (its options check included: it
// refuses `buttons`, "unsupported by Firefox") run as they ship; only the desktop is replaced.
//
//   const desktop = await showNotifications(ff);
//   await desktop.shown();          // [{ name, title, text, image, closed }], oldest first
//   await desktop.click('standin-eod');

const CONTRACT = '@mozilla.org/alerts-service;1';

export async function showNotifications(ff) {
  await ff.evaluateInChrome((contract) => {
    const shown = [];
    const listeners = new Map();
    const service = {
      QueryInterface: ChromeUtils.generateQI(['nsIAlertsService']),
      showAlert(alert, listener) {
        shown.push({ name: alert.name, title: alert.title, text: alert.text, image: alert.imageURL, closed: false });
        listeners.set(alert.name, { listener, cookie: alert.cookie });
        listener?.observe(null, 'alertshow', alert.cookie);
      },
      closeAlert(name) {
        const open = listeners.get(name);
        listeners.delete(name);
        for (const entry of shown) if (entry.name === name) entry.closed = true;
        open?.listener?.observe(null, 'alertfinished', open.cookie);
      },
      // For the test, through wrappedJSObject.
      shown,
      click(name) {
        const open = listeners.get(name);
        open?.listener?.observe(null, 'alertclickcallback', open.cookie);
        return Boolean(open);
      },
    };
    service.wrappedJSObject = service;
    const factory = {
      QueryInterface: ChromeUtils.generateQI(['nsIFactory']),
      createInstance: (iid) => service.QueryInterface(iid),
    };
    Components.manager
      .QueryInterface(Ci.nsIComponentRegistrar)
      .registerFactory(Services.uuid.generateUUID(), 'StandIn test desktop notifications', contract, factory);
  }, CONTRACT);
  return {
    /** Every notification shown so far, oldest first, and whether it has been closed. */
    shown: () =>
      ff.evaluateInChrome(
        (contract) => JSON.parse(JSON.stringify(Cc[contract].getService(Ci.nsIAlertsService).wrappedJSObject.shown)),
        CONTRACT,
      ),
    /** A click on the open notification `name`, as a user's; false when none is open. */
    click: (name) =>
      ff.evaluateInChrome(
        ([contract, n]) => Cc[contract].getService(Ci.nsIAlertsService).wrappedJSObject.click(n),
        [CONTRACT, name],
      ),
  };
}
