/**
 * The tracker a site includes with `<script defer src="https://<this service>/script.js"
 * data-site="example.com"></script>`: it sends a page view on load and on each single-page-app
 * navigation (History API; a move to a fragment of the same page is not one), with navigator.sendBeacon (a text/plain body: no CORS preflight)
 * or fetch with keepalive. No cookie, no storage. `data-respect-dnt` makes it send nothing when
 * the browser says Do Not Track or Global Privacy Control; `data-api` overrides where it sends.
 * Written small by hand (ES2017, no build step): it is served as it is, at most 1.5 KB gzip
 * (test/app/tracker.test.ts checks).
 */
export const TRACKER_SCRIPT = `(function(){
var d=document,w=window,n=navigator,s=d.currentScript;if(!s)return;
var site=s.getAttribute("data-site")||location.host.replace(/^www\\./,"");
var api=s.getAttribute("data-api")||new URL(s.src).origin+"/api/event";
if(s.hasAttribute("data-respect-dnt")&&(n.doNotTrack==="1"||w.doNotTrack==="1"||n.globalPrivacyControl===true))return;
var last=null;
function send(){var url=location.href.split("#")[0];if(url===last)return;
var body=JSON.stringify({site:site,url:url,referrer:last===null?(d.referrer||null):null,width:w.innerWidth});last=url;
try{if(n.sendBeacon&&n.sendBeacon(api,body))return}catch(e){}
fetch(api,{method:"POST",body:body,keepalive:true,credentials:"omit",headers:{"Content-Type":"text/plain"}}).catch(function(){})}
var push=history.pushState;history.pushState=function(){var r=push.apply(this,arguments);send();return r};
var replace=history.replaceState;history.replaceState=function(){var r=replace.apply(this,arguments);send();return r};
w.addEventListener("popstate",send);
if(d.visibilityState==="prerender"){d.addEventListener("visibilitychange",function wait(){if(d.visibilityState!=="prerender"){d.removeEventListener("visibilitychange",wait);send()}})}else{send()}
})();
`;

/** A stable validator of the script: FNV-1a over its text, the same on every replica and runtime. */
export function scriptEtag(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `"${hash.toString(16).padStart(8, '0')}-${text.length.toString(16)}"`;
}
